-- model: facility_usage__classified
-- layer: silver
-- depends: bronze_facility_usage, member_ids
-- partition_by: usage_date
-- lookups: member_ids(member_id)
-- description: (Audit table.) Facility visits typed and checked: duration must be 1–600 minutes, member must exist.
WITH typed AS (
  SELECT usage_id AS _record_key, usage_id, member_id, club_id, facility, fitlake_ts(started_at) AS started_at,
    try_cast(duration_min AS INTEGER) AS duration_min, _source_file, _line_number, _batch_id,
    row_number() OVER (PARTITION BY usage_id ORDER BY _batch_id, _source_file, _line_number) AS _copy
  FROM bronze_facility_usage
)
SELECT t.* EXCLUDE (_copy), fitlake_local_date(started_at) AS usage_date,
  fitlake_row_status(_copy, r.reason) AS _status,
  fitlake_row_reason(_copy, r.reason) AS _reason
FROM typed t
LEFT JOIN member_ids m ON m.member_id = t.member_id,
LATERAL (SELECT CASE
  WHEN t.started_at IS NULL THEN 'bad_timestamp'
  WHEN t.duration_min IS NULL OR t.duration_min < 1 OR t.duration_min > 600 THEN 'out_of_range:duration_min'
  WHEN m.member_id IS NULL THEN 'orphan_member'
END AS reason) r
ORDER BY _source_file, _line_number
