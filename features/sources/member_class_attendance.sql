-- Each class check-in by a member, as an event: when it happened (feature_ts), the day it became known
-- (created_ts: the start of the day after its landing file), the local day, and the weekly slot it
-- was in (club, class type, the local weekday of the session, 0 = Sunday, and its start in minutes
-- past local midnight).
SELECT
  c.member_id,
  c.scanned_at AS feature_ts,
  fitlake_day_start(fitlake_known_date(c.checkin_date, c._source_file, c._batch_id)) AS created_ts,
  CAST(c.checkin_date AS STRING) AS day,
  s.club_id,
  s.class_type,
  fitlake_iso_weekday(fitlake_local_date(s.starts_at)) % 7 AS weekday,
  fitlake_local_minute(s.starts_at) AS start_minute
FROM class_checkins c
JOIN dim_class_session s ON s.session_id = c.session_id
WHERE c.member_id IS NOT NULL
