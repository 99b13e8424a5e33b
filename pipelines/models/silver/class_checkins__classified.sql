-- model: class_checkins__classified
-- layer: silver
-- depends: bronze_class_checkins, member_ids, dim_class_session
-- partition_by: checkin_date
-- lookups: member_ids(member_id), dim_class_session(session_id)
-- description: (Audit table.) Every bronze check-in with its fate. Replays (same scan_id again) and double scans
--   (same member and session, a later scan) are duplicates: the earliest scan is kept, so a real
--   second class on the same day is not touched. A time written to the minute only (the tills'
--   format) does not outrank a precise one within that minute: such scans compare by minute and
--   then by arrival order. Unknown members or sessions and unparseable scan times are quarantined.
WITH typed AS (
  SELECT scan_id AS _record_key, scan_id, member_id, session_id, club_id, fitlake_ts(scanned_at) AS scanned_at,
    booking_source, device_id, _source_file, _line_number, _batch_id,
    contains(scanned_at, '/') AND NOT regexp_matches(scanned_at, ':\d{2}:\d{2}') AS _minute_only,
    row_number() OVER (PARTITION BY scan_id ORDER BY _batch_id, _source_file, _line_number) AS _copy
  FROM bronze_class_checkins
), checked AS (
  SELECT t.*,
    CASE
      WHEN _copy > 1 THEN 'replayed_scan'
      WHEN t.scanned_at IS NULL THEN 'bad_timestamp'
      WHEN m.member_id IS NULL THEN 'orphan_member'
      WHEN s.session_id IS NULL THEN 'unknown_session'
    END AS _problem
  FROM typed t
  LEFT JOIN member_ids m ON m.member_id = t.member_id
  LEFT JOIN dim_class_session s ON s.session_id = t.session_id
), minutes AS (
  SELECT *, bool_or(_minute_only) OVER (PARTITION BY member_id, session_id, _problem IS NULL, date_trunc('minute', scanned_at)) AS _coarse
  FROM checked
), visits AS (
  SELECT *, CASE WHEN _problem IS NULL THEN row_number() OVER (
      PARTITION BY member_id, session_id, _problem IS NULL
      ORDER BY date_trunc('minute', scanned_at), CASE WHEN NOT _coarse THEN scanned_at END, _batch_id, _source_file, _line_number, scan_id
    ) END AS _visit_scan
  FROM minutes
)
SELECT * EXCLUDE (_minute_only, _copy, _problem, _coarse, _visit_scan),
  fitlake_local_date(scanned_at) AS checkin_date,
  CASE WHEN _problem = 'replayed_scan' OR _visit_scan > 1 THEN 'duplicate' WHEN _problem IS NOT NULL THEN 'quarantined' ELSE 'ok' END AS _status,
  CASE WHEN _visit_scan > 1 THEN 'double_scan' ELSE _problem END AS _reason
FROM visits
ORDER BY _source_file, _line_number
