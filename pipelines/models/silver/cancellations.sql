-- model: cancellations
-- layer: silver
-- depends: cancellations__classified
-- partition_by: request_date
-- description: Valid cancellation requests with reason category, free text and channel.
SELECT cancellation_id, member_id, requested_at, request_date, effective_date, reason_category, reason_text, channel, _source_file, _line_number, _batch_id
FROM cancellations__classified WHERE _status = 'ok'
ORDER BY request_date, requested_at, cancellation_id
