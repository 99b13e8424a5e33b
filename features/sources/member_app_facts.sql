-- App use per member, local day and the day it became known: sessions, bookings, goals, workouts.
-- A session whose events arrive in several landing files counts once, on its first day, from the
-- day its first event became known.
WITH events AS (
  SELECT member_id, app_session_id, event_type, event_date, fitlake_known_date(event_date, _source_file, _batch_id) AS avail
  FROM app_events
), sessions AS (
  SELECT member_id, min(event_date) AS d, min(avail) AS avail, 1 AS app_sessions, 0 AS bookings, 0 AS goals_set, 0 AS goals_achieved, 0 AS workouts_logged
  FROM events WHERE app_session_id IS NOT NULL
  GROUP BY member_id, app_session_id
), actions AS (
  SELECT member_id, event_date AS d, avail, 0 AS app_sessions,
    (event_type = 'class_booked')::INTEGER AS bookings,
    (event_type = 'goal_set')::INTEGER AS goals_set,
    (event_type = 'goal_achieved')::INTEGER AS goals_achieved,
    (event_type = 'workout_logged')::INTEGER AS workouts_logged
  FROM events
)
SELECT member_id, d, avail, sum(app_sessions) AS app_sessions, sum(bookings) AS bookings, sum(goals_set) AS goals_set, sum(goals_achieved) AS goals_achieved, sum(workouts_logged) AS workouts_logged
FROM (SELECT * FROM sessions UNION ALL SELECT * FROM actions)
GROUP BY ALL
