-- model: equipment_usage
-- layer: silver
-- depends: equipment_usage__classified
-- partition_by: usage_date
-- description: Valid machine sessions; sets/reps/weight are NULL for cardio machines.
SELECT usage_id, machine_id, machine_type, club_id, member_id, started_at, usage_date, duration_sec, sets, reps, weight_kg, _source_file, _line_number, _batch_id
FROM equipment_usage__classified WHERE _status = 'ok'
ORDER BY usage_date, started_at, usage_id
