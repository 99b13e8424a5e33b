-- The CRM record as it stood at each member day's start (the type-2 member dimension as of feature_ts):
-- plan, billing cycle, price, tenure, plan changes so far, age and home club.
WITH changes AS (
  SELECT
    *,
    sum((change_type = 'plan_downgraded')::INTEGER) OVER w AS downgrades,
    sum((change_type = 'plan_upgraded')::INTEGER) OVER w AS upgrades
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
  (g.date - c.join_date)::INTEGER AS tenure_days,
  c.downgrades::INTEGER AS plan_downgrades,
  c.upgrades::INTEGER AS plan_upgrades,
  date_diff('year', c.birth_date, g.date)::INTEGER AS age_years,
  c.club_id AS home_club
FROM member_days g
ASOF LEFT JOIN changes c ON g.member_id = c.member_id AND g.feature_ts > c.valid_from
