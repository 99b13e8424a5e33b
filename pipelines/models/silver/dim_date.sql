-- model: dim_date
-- layer: silver
-- depends: dim_class_session
-- description: One row per calendar day spanning the scheduled sessions, with week, month and weekday.
WITH bounds AS (SELECT min(session_date) AS lo, max(session_date) AS hi FROM dim_class_session)
SELECT
  d::DATE AS date,
  year(d)::INTEGER AS year,
  month(d)::INTEGER AS month,
  day(d)::INTEGER AS day,
  fitlake_iso_weekday(d) AS iso_weekday,
  fitlake_day_name(d) AS weekday_name,
  date_trunc('week', d)::DATE AS week_start,
  date_trunc('month', d)::DATE AS month_start,
  fitlake_iso_weekday(d) >= 6 AS is_weekend
FROM bounds, unnest(fitlake_days(lo, hi)) AS t(d)
ORDER BY date
