-- model: facility_usage
-- layer: silver
-- depends: facility_usage__classified
-- partition_by: usage_date
-- description: Valid facility visits (sauna, pool, steam room…), start in UTC, duration in minutes.
SELECT usage_id, member_id, club_id, facility, started_at, usage_date, duration_min, _source_file, _line_number, _batch_id
FROM facility_usage__classified WHERE _status = 'ok'
ORDER BY usage_date, started_at, usage_id
