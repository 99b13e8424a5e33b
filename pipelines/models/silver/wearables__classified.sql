-- model: wearables__classified
-- layer: silver
-- depends: bronze_wearables, member_ids
-- partition_by: activity_date
-- lookups: member_ids(member_id)
-- description: (Audit table.) Daily wearable summaries typed; one per member and day (a re-sent day keeps the first).
--   calories_to_steps_ratio is 0, not NaN or infinity, on a day with no steps.
WITH typed AS (
  SELECT member_id || '@' || activity_date AS _record_key, member_id, try_cast(activity_date AS DATE) AS activity_date, device,
    try_cast(steps AS INTEGER) AS steps, try_cast(calories_burned AS INTEGER) AS calories_burned,
    try_cast(avg_heart_rate AS INTEGER) AS avg_heart_rate, try_cast(sleep_hours AS DOUBLE) AS sleep_hours, activity_type,
    _source_file, _line_number, _batch_id,
    row_number() OVER (PARTITION BY member_id, activity_date ORDER BY _batch_id, _source_file, _line_number) AS _copy
  FROM bronze_wearables
)
SELECT t.* EXCLUDE (_copy),
  fitlake_day_name(t.activity_date) AS day_of_week,
  CASE WHEN coalesce(t.steps, 0) = 0 THEN 0.0 ELSE t.calories_burned / t.steps END AS calories_to_steps_ratio,
  fitlake_row_status(_copy, r.reason) AS _status,
  fitlake_row_reason(_copy, r.reason) AS _reason
FROM typed t
LEFT JOIN member_ids m ON m.member_id = t.member_id,
LATERAL (SELECT CASE
  WHEN t.activity_date IS NULL THEN 'bad_timestamp'
  WHEN t.steps IS NULL OR t.steps < 0 OR t.steps > 100000 THEN 'out_of_range:steps'
  WHEN t.avg_heart_rate IS NOT NULL AND (t.avg_heart_rate < 30 OR t.avg_heart_rate > 220) THEN 'out_of_range:avg_heart_rate'
  WHEN t.sleep_hours IS NOT NULL AND (t.sleep_hours < 0 OR t.sleep_hours > 24) THEN 'out_of_range:sleep_hours'
  WHEN m.member_id IS NULL THEN 'orphan_member'
END AS reason) r
ORDER BY _source_file, _line_number
