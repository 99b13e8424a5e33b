-- The CRM record as it stood at each member day's start (the type-2 member dimension as of feature_ts):
-- plan, billing cycle, price (and per month), tenure, plan changes so far and in the last 90 days, age and home club.
WITH changes AS (
  SELECT
    *,
    sum((change_type = 'plan_downgraded')::INTEGER) OVER w AS downgrades,
    sum((change_type = 'plan_upgraded')::INTEGER) OVER w AS upgrades,
    max(valid_from) FILTER (WHERE change_type = 'plan_downgraded') OVER w AS last_downgrade_at
  FROM dim_member
  WINDOW w AS (PARTITION BY member_id ORDER BY valid_from, change_event_id ROWS UNBOUNDED PRECEDING)
)
SELECT
  g.member_id,
  g.feature_ts,
  g.created_ts,
  c.plan,
  c.billing_cycle,
  c.price::DOUBLE AS price,
  round(CASE WHEN c.billing_cycle = 'annual' THEN c.price / 12 ELSE c.price END, 4)::DOUBLE AS monthly_price,
  (g.date - c.join_date)::INTEGER AS tenure_days,
  c.downgrades::INTEGER AS plan_downgrades,
  c.upgrades::INTEGER AS plan_upgrades,
  (c.last_downgrade_at IS NOT NULL AND c.last_downgrade_at > g.feature_ts - INTERVAL 90 DAY)::INTEGER AS downgraded_90d,
  date_diff('year', c.birth_date, g.date)::INTEGER AS age_years,
  c.club_id AS home_club
FROM member_days g
ASOF LEFT JOIN changes c ON g.member_id = c.member_id AND g.feature_ts > c.valid_from
