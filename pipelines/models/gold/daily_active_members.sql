-- model: daily_active_members
-- layer: gold
-- depends: member_daily_activity, dim_date
-- partition_by: date
-- lookups: dim_date(date)
-- description: Daily active members (DAU): members with any check-in, facility, equipment or app
--   event that local day; also how many were active on site (check-in, facility or equipment) and in
--   the app. Every calendar day appears, 0 when nobody came. (member_daily_activity has one row per
--   member and day, so counting its rows counts distinct members.)
SELECT d.date,
  count(a.member_id) FILTER (WHERE a.active)::INTEGER AS active_members,
  count(a.member_id) FILTER (WHERE a.class_checkins + a.facility_visits + a.equipment_sessions > 0)::INTEGER AS on_site_members,
  count(a.member_id) FILTER (WHERE a.app_events > 0)::INTEGER AS app_members
FROM dim_date d LEFT JOIN member_daily_activity a ON a.date = d.date
GROUP BY d.date
ORDER BY d.date
