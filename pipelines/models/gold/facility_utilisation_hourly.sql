-- model: facility_utilisation_hourly
-- layer: gold
-- depends: facility_usage, dim_date
-- description: Facility use by club, facility, weekday and local start hour: visits, average minutes,
--   and visits per calendar day of that weekday in the data.
WITH days AS (SELECT fitlake_iso_weekday(date) AS iso_weekday, count(*) AS n FROM dim_date GROUP BY 1)
SELECT club_id, facility, fitlake_day_name(usage_date) AS weekday, fitlake_iso_weekday(usage_date) AS iso_weekday, fitlake_local_hour(started_at) AS start_hour,
  count(*)::INTEGER AS visits, round(avg(duration_min), 1) AS avg_minutes,
  round(count(*) / min(days.n), 3) AS visits_per_day
FROM facility_usage JOIN days ON days.iso_weekday = fitlake_iso_weekday(usage_date)
GROUP BY ALL
ORDER BY club_id, facility, iso_weekday, start_hour
