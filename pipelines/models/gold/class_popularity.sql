-- model: class_popularity
-- layer: gold
-- depends: dim_class_session, class_checkins
-- description: Class demand by class type, instructor, weekday and start hour (local): sessions,
--   check-ins, seats offered and fill rate = check-ins / seats.
WITH per_session AS (
  SELECT s.session_id, s.class_type, s.instructor_id, fitlake_day_name(s.session_date) AS weekday, fitlake_iso_weekday(s.session_date) AS iso_weekday,
    fitlake_local_hour(s.starts_at) AS start_hour, s.capacity, count(c.scan_id) AS checkins
  FROM dim_class_session s LEFT JOIN class_checkins c USING (session_id)
  GROUP BY ALL
)
SELECT class_type, instructor_id, weekday, iso_weekday, start_hour,
  count(*)::INTEGER AS sessions, sum(checkins)::INTEGER AS checkins, sum(capacity)::INTEGER AS seats,
  round(sum(checkins) / nullif(sum(capacity), 0), 4) AS fill_rate
FROM per_session
GROUP BY ALL
ORDER BY class_type, instructor_id, iso_weekday, start_hour
