-- App use per member, local day and the day it became known: sessions, bookings, goals, workouts.
SELECT
  member_id,
  event_date AS d,
  fitlake_known_date(event_date, _source_file) AS avail,
  count(DISTINCT app_session_id) AS app_sessions,
  count(*) FILTER (WHERE event_type = 'class_booked') AS bookings,
  count(*) FILTER (WHERE event_type = 'goal_set') AS goals_set,
  count(*) FILTER (WHERE event_type = 'goal_achieved') AS goals_achieved,
  count(*) FILTER (WHERE event_type = 'workout_logged') AS workouts_logged
FROM app_events
GROUP BY ALL
