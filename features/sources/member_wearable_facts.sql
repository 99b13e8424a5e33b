-- Wearable day summaries per member and the day they became known.
SELECT
  member_id,
  activity_date AS d,
  fitlake_known_date(activity_date, _source_file, _batch_id) AS avail,
  1 AS wearable_days,
  steps,
  calories_burned AS calories,
  sleep_hours::DOUBLE AS sleep_hours,
  (activity_type <> 'walking')::INTEGER AS workout_days
FROM wearables
