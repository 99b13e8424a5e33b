-- Check-ins and seats offered per class type and local day. Seats are known from the timetable
-- (the day after the session); check-ins from the day after the file that carried them.
SELECT s.class_type, s.session_date AS d, s.session_date + 1 AS avail, 0 AS checkins, sum(s.capacity) AS seats, count(*) AS sessions
FROM dim_class_session s
GROUP BY ALL
UNION ALL
SELECT s.class_type, c.checkin_date, fitlake_known_date(c.checkin_date, c._source_file, c._batch_id), count(*), 0, 0
FROM class_checkins c JOIN dim_class_session s USING (session_id)
GROUP BY ALL
