-- model: app_events
-- layer: silver
-- depends: app_events__classified
-- partition_by: event_date
-- description: Valid app events (bookings, calendar, goals, workouts) in UTC with the member's local date.
SELECT event_id, app_session_id, member_id, event_type, occurred_at, event_date, device, os, app_version, properties, _source_file, _line_number, _batch_id
FROM app_events__classified WHERE _status = 'ok'
ORDER BY event_date, occurred_at, event_id
