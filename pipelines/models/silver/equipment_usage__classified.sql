-- model: equipment_usage__classified
-- layer: silver
-- depends: bronze_equipment_usage, member_ids
-- partition_by: usage_date
-- lookups: member_ids(member_id)
-- description: (Audit table.) Machine sessions typed and checked: duration 1 s–4 h; for strength work sets 1–20,
--   reps 1–100 and weight 0–500 kg; member must exist.
WITH typed AS (
  SELECT usage_id AS _record_key, usage_id, machine_id, machine_type, club_id, member_id, fitlake_ts(started_at) AS started_at,
    try_cast(duration_sec AS INTEGER) AS duration_sec, try_cast(sets AS INTEGER) AS sets, try_cast(reps AS INTEGER) AS reps,
    try_cast(weight_kg AS DOUBLE) AS weight_kg, _source_file, _line_number, _batch_id,
    row_number() OVER (PARTITION BY usage_id ORDER BY _batch_id, _source_file, _line_number) AS _copy
  FROM bronze_equipment_usage
)
SELECT t.* EXCLUDE (_copy), fitlake_local_date(started_at) AS usage_date,
  fitlake_row_status(_copy, r.reason) AS _status,
  fitlake_row_reason(_copy, r.reason) AS _reason
FROM typed t
LEFT JOIN member_ids m ON m.member_id = t.member_id,
LATERAL (SELECT CASE
  WHEN t.started_at IS NULL THEN 'bad_timestamp'
  WHEN t.duration_sec IS NULL OR t.duration_sec < 1 OR t.duration_sec > 14400 THEN 'out_of_range:duration_sec'
  WHEN t.sets IS NOT NULL AND (t.sets < 1 OR t.sets > 20) THEN 'out_of_range:sets'
  WHEN t.reps IS NOT NULL AND (t.reps < 1 OR t.reps > 100) THEN 'out_of_range:reps'
  WHEN t.weight_kg IS NOT NULL AND (t.weight_kg < 0 OR t.weight_kg > 500) THEN 'out_of_range:weight_kg'
  WHEN m.member_id IS NULL THEN 'orphan_member'
END AS reason) r
ORDER BY _source_file, _line_number
