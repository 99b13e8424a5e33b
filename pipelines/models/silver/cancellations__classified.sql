-- model: cancellations__classified
-- layer: silver
-- depends: bronze_cancellations, member_ids
-- partition_by: request_date
-- lookups: member_ids(member_id)
-- description: (Audit table.) Cancellation requests typed; the effective date may not precede the request.
WITH typed AS (
  SELECT cancellation_id AS _record_key, cancellation_id, member_id, fitlake_ts(requested_at) AS requested_at,
    try_cast(effective_date AS DATE) AS effective_date, reason_category, nullif(trim(reason_text), '') AS reason_text, channel,
    _source_file, _line_number, _batch_id,
    row_number() OVER (PARTITION BY cancellation_id ORDER BY _batch_id, _source_file, _line_number) AS _copy
  FROM bronze_cancellations
)
SELECT t.* EXCLUDE (_copy), fitlake_local_date(requested_at) AS request_date,
  fitlake_row_status(_copy, r.reason) AS _status,
  fitlake_row_reason(_copy, r.reason) AS _reason
FROM typed t
LEFT JOIN member_ids m ON m.member_id = t.member_id,
LATERAL (SELECT CASE
  WHEN t.requested_at IS NULL THEN 'bad_timestamp'
  WHEN t.effective_date IS NULL OR t.effective_date < fitlake_local_date(t.requested_at) THEN 'out_of_range:effective_date'
  WHEN m.member_id IS NULL THEN 'orphan_member'
END AS reason) r
ORDER BY _source_file, _line_number
