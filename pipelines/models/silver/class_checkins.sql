-- model: class_checkins
-- layer: silver
-- depends: class_checkins__classified
-- partition_by: checkin_date
-- description: One row per member per attended class session (deduplicated scans), times in UTC.
SELECT scan_id, member_id, session_id, club_id, scanned_at, checkin_date, booking_source, device_id, _source_file, _line_number, _batch_id
FROM class_checkins__classified
WHERE _status = 'ok'
ORDER BY checkin_date, scanned_at, scan_id
