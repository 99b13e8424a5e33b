-- Wearable day summaries per member and the day they became known; summaries = 1 per day worn and
-- act_<activity> = 1 when that day's activity was it (the activity mix view reads those).
SELECT
  member_id,
  activity_date AS d,
  fitlake_known_date(activity_date, _source_file, _batch_id) AS avail,
  1 AS wearable_days,
  steps,
  calories_burned AS calories,
  sleep_hours::DOUBLE AS sleep_hours,
  (activity_type <> 'walking')::INTEGER AS workout_days,
  1 AS summaries,
  CAST(activity_type = 'walking' AS INTEGER) AS act_walking,
  CAST(activity_type = 'running' AS INTEGER) AS act_running,
  CAST(activity_type = 'cycling' AS INTEGER) AS act_cycling,
  CAST(activity_type = 'swimming' AS INTEGER) AS act_swimming,
  CAST(activity_type = 'yoga' AS INTEGER) AS act_yoga,
  CAST(activity_type = 'gym_workout' AS INTEGER) AS act_gym_workout,
  CAST(activity_type = 'hiking' AS INTEGER) AS act_hiking
FROM wearables
