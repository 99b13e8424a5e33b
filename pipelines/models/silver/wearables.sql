-- model: wearables
-- layer: silver
-- depends: wearables__classified
-- partition_by: activity_date
-- description: One wearable summary per member and day, with weekday and calories-to-steps ratio.
SELECT member_id, activity_date, day_of_week, device, steps, calories_burned, avg_heart_rate, sleep_hours, activity_type, calories_to_steps_ratio, _source_file, _line_number, _batch_id
FROM wearables__classified WHERE _status = 'ok'
ORDER BY activity_date, member_id
