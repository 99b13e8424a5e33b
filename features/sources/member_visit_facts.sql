-- On-site activity per member, local day d and the day it became known (avail: the day after the
-- landing file that carried it, so late-arriving records count only from when they arrived).
-- visits = 1 on the row that first made the day known as a visit day.
WITH onsite AS (
  SELECT c.member_id, c.checkin_date AS d, fitlake_known_date(c.checkin_date, c._source_file, c._batch_id) AS avail, 'class' AS kind, s.class_type, fitlake_local_hour(c.scanned_at) AS hr, CAST(0 AS DOUBLE) AS minutes
  FROM class_checkins c LEFT JOIN dim_class_session s USING (session_id)
  UNION ALL
  SELECT member_id, usage_date, fitlake_known_date(usage_date, _source_file, _batch_id), 'facility', NULL, fitlake_local_hour(started_at), 0.0
  FROM facility_usage
  UNION ALL
  SELECT member_id, usage_date, fitlake_known_date(usage_date, _source_file, _batch_id), 'equipment', NULL, fitlake_local_hour(started_at), CAST(duration_sec AS DOUBLE) / 60
  FROM equipment_usage
), by_known AS (
  SELECT
    member_id, d, avail,
    count(*) FILTER (WHERE kind = 'class') AS checkins,
    count(*) FILTER (WHERE class_type = 'spinning') AS spinning,
    count(*) FILTER (WHERE class_type = 'yoga') AS yoga,
    count(*) FILTER (WHERE class_type = 'zumba') AS zumba,
    count(*) FILTER (WHERE class_type = 'hiit') AS hiit,
    count(*) FILTER (WHERE class_type = 'boxing') AS boxing,
    count(*) FILTER (WHERE class_type = 'peloton') AS peloton,
    count(*) FILTER (WHERE kind = 'facility') AS facility_visits,
    count(*) FILTER (WHERE kind = 'equipment') AS equipment_sessions,
    sum(minutes) FILTER (WHERE kind = 'equipment') AS equipment_minutes,
    count(*) FILTER (WHERE fitlake_iso_weekday(d) <= 5 AND (hr BETWEEN 6 AND 8 OR hr BETWEEN 17 AND 19)) AS peak_records,
    count(*) AS records
  FROM onsite
  GROUP BY member_id, d, avail
)
SELECT *, (avail = min(avail) OVER (PARTITION BY member_id, d))::INTEGER AS visits
FROM by_known
