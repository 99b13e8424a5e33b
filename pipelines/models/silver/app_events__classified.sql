-- model: app_events__classified
-- layer: silver
-- depends: bronze_app_events, member_ids
-- partition_by: event_date
-- lookups: member_ids(member_id)
-- description: (Audit table.) App events typed; properties kept as JSON; unknown members quarantined.
WITH typed AS (
  SELECT event_id AS _record_key, event_id, app_session_id, member_id, event_type, fitlake_ts(occurred_at) AS occurred_at,
    device, os, app_version, properties, _source_file, _line_number, _batch_id,
    row_number() OVER (PARTITION BY event_id ORDER BY _batch_id, _source_file, _line_number) AS _copy
  FROM bronze_app_events
)
SELECT t.* EXCLUDE (_copy), fitlake_local_date(occurred_at) AS event_date,
  fitlake_row_status(_copy, r.reason) AS _status,
  fitlake_row_reason(_copy, r.reason) AS _reason
FROM typed t
LEFT JOIN member_ids m ON m.member_id = t.member_id,
LATERAL (SELECT CASE
  WHEN t.occurred_at IS NULL THEN 'bad_timestamp'
  WHEN m.member_id IS NULL THEN 'orphan_member'
END AS reason) r
ORDER BY _source_file, _line_number
