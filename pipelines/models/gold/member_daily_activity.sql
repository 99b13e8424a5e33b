-- model: member_daily_activity
-- layer: gold
-- depends: class_checkins, facility_usage, equipment_usage, app_events, retail_sales, wearables
-- partition_by: date
-- description: One row per member and local day with any activity: class check-ins, facility visits,
--   machine sessions (and minutes), app events and sessions, retail lines and spend, wearable steps.
--   The base for member features. active = a check-in, facility, equipment or app event that day
--   (retail and wearables alone do not make a member active).
WITH per_source AS (
  SELECT member_id, checkin_date AS date, count(*) AS checkins, 0 AS facility_visits, 0 AS equipment_sessions, 0.0::DOUBLE AS equipment_minutes, 0 AS app_events, 0 AS app_sessions, 0 AS retail_lines, 0.0 AS retail_spend, NULL::INTEGER AS steps
  FROM class_checkins GROUP BY 1, 2
  UNION ALL SELECT member_id, usage_date, 0, count(*), 0, 0.0, 0, 0, 0, 0.0, NULL FROM facility_usage GROUP BY 1, 2
  UNION ALL SELECT member_id, usage_date, 0, 0, count(*), (sum(duration_sec) / 60.0)::DOUBLE, 0, 0, 0, 0.0, NULL FROM equipment_usage GROUP BY 1, 2
  UNION ALL SELECT member_id, event_date, 0, 0, 0, 0.0, count(*), count(DISTINCT app_session_id), 0, 0.0, NULL FROM app_events GROUP BY 1, 2
  UNION ALL SELECT member_id, sale_date, 0, 0, 0, 0.0, 0, 0, count(*), sum(amount), NULL FROM retail_sales WHERE member_id IS NOT NULL GROUP BY 1, 2
  UNION ALL SELECT member_id, activity_date, 0, 0, 0, 0.0, 0, 0, 0, 0.0, max(steps) FROM wearables GROUP BY 1, 2
)
SELECT
  member_id,
  date,
  sum(checkins)::INTEGER AS class_checkins,
  sum(facility_visits)::INTEGER AS facility_visits,
  sum(equipment_sessions)::INTEGER AS equipment_sessions,
  round(sum(equipment_minutes), 2) AS equipment_minutes,
  sum(app_events)::INTEGER AS app_events,
  sum(app_sessions)::INTEGER AS app_sessions,
  sum(retail_lines)::INTEGER AS retail_lines,
  sum(retail_spend)::DECIMAL(12, 2) AS retail_spend,
  max(steps) AS wearable_steps,
  sum(checkins + facility_visits + equipment_sessions + app_events) > 0 AS active
FROM per_source
GROUP BY member_id, date
ORDER BY date, member_id
