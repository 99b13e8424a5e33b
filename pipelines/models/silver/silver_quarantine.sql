-- model: silver_quarantine
-- layer: silver
-- depends: class_checkins__classified, facility_usage__classified, equipment_usage__classified, retail_sales__classified, app_events__classified, cancellations__classified, wearables__classified
-- partition_by: event_date
-- description: Rows silver refused, with the table, the record key, the reason and where the row
--   came from in landing, by the row's local event date. Nothing is dropped silently: bronze = silver + quarantine + duplicates.
SELECT * FROM (
  SELECT 'class_checkins' AS source_table, _record_key AS record_key, _reason AS reason, _source_file, _line_number, _batch_id, checkin_date AS event_date FROM class_checkins__classified WHERE _status = 'quarantined'
  UNION ALL SELECT 'facility_usage', _record_key, _reason, _source_file, _line_number, _batch_id, usage_date AS event_date FROM facility_usage__classified WHERE _status = 'quarantined'
  UNION ALL SELECT 'equipment_usage', _record_key, _reason, _source_file, _line_number, _batch_id, usage_date AS event_date FROM equipment_usage__classified WHERE _status = 'quarantined'
  UNION ALL SELECT 'retail_sales', _record_key, _reason, _source_file, _line_number, _batch_id, sale_date AS event_date FROM retail_sales__classified WHERE _status = 'quarantined'
  UNION ALL SELECT 'app_events', _record_key, _reason, _source_file, _line_number, _batch_id, event_date AS event_date FROM app_events__classified WHERE _status = 'quarantined'
  UNION ALL SELECT 'cancellations', _record_key, _reason, _source_file, _line_number, _batch_id, request_date AS event_date FROM cancellations__classified WHERE _status = 'quarantined'
  UNION ALL SELECT 'wearables', _record_key, _reason, _source_file, _line_number, _batch_id, activity_date AS event_date FROM wearables__classified WHERE _status = 'quarantined'
)
ORDER BY event_date, source_table, _source_file, _line_number
