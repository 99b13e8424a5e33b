-- model: weekly_active_members
-- layer: gold
-- depends: member_daily_activity, dim_date
-- partition_by: week_start
-- partition_grain: week
-- lookups: dim_date(date)
-- description: Weekly active members (WAU): distinct members active on any day of the ISO week (Monday start).
SELECT d.week_start, count(DISTINCT a.member_id) FILTER (WHERE a.active)::INTEGER AS active_members, count(DISTINCT d.date)::INTEGER AS days_in_data
FROM dim_date d LEFT JOIN member_daily_activity a ON a.date = d.date
GROUP BY d.week_start
ORDER BY d.week_start
