-- model: monthly_active_members
-- layer: gold
-- depends: member_daily_activity, dim_date
-- partition_by: month_start
-- partition_grain: month
-- lookups: dim_date(date)
-- description: Monthly active members (MAU): distinct members active on any day of the calendar month.
SELECT d.month_start, count(DISTINCT a.member_id) FILTER (WHERE a.active)::INTEGER AS active_members, count(DISTINCT d.date)::INTEGER AS days_in_data
FROM dim_date d LEFT JOIN member_daily_activity a ON a.date = d.date
GROUP BY d.month_start
ORDER BY d.month_start
