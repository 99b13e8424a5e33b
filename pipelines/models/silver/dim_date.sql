-- model: dim_date
-- layer: silver
-- depends: dim_class_session
-- description: One row per calendar day spanning the scheduled sessions, with week, month and weekday.
WITH bounds AS (SELECT min(session_date) AS lo, max(session_date) AS hi FROM dim_class_session)
SELECT
  d::DATE AS date,
  year(d) AS year,
  month(d) AS month,
  day(d) AS day,
  isodow(d) AS iso_weekday,
  dayname(d) AS weekday_name,
  date_trunc('week', d)::DATE AS week_start,
  date_trunc('month', d)::DATE AS month_start,
  isodow(d) >= 6 AS is_weekend
FROM bounds, range(lo, hi + INTERVAL 1 DAY, INTERVAL 1 DAY) AS t(d)
ORDER BY date
