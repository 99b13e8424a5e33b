-- model: dim_class_session
-- layer: silver
-- depends: bronze_class_sessions
-- description: Scheduled class sessions, typed; a session republished later keeps its latest version.
SELECT
  session_id,
  club_id,
  class_type,
  instructor_id,
  room,
  fitlake_ts(start_time) AS starts_at,
  fitlake_local_date(fitlake_ts(start_time)) AS session_date,
  try_cast(duration_min AS INTEGER) AS duration_min,
  try_cast(capacity AS INTEGER) AS capacity
FROM bronze_class_sessions
WHERE fitlake_ts(start_time) IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY session_id ORDER BY _batch_id DESC, _source_file DESC, _line_number DESC) = 1
ORDER BY session_id
