-- model: dim_instructor
-- layer: silver
-- depends: bronze_class_sessions
-- description: Instructors as named on the latest schedule that lists them.
SELECT instructor_id, arg_max(instructor_name, fitlake_ts(start_time)) AS instructor_name, count(DISTINCT session_id) AS sessions_taught
FROM bronze_class_sessions
WHERE instructor_id IS NOT NULL
GROUP BY instructor_id
ORDER BY instructor_id
