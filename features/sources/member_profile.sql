-- The CRM record as it stood at each member day's start (the type-2 member dimension as of feature_ts):
-- plan, billing cycle, price (and per month), tenure, plan changes so far and in the last 90 days, age and home club.
WITH changes AS (
  SELECT
    *,
    row_number() OVER w AS seq,
    sum((change_type = 'plan_downgraded')::INTEGER) OVER w AS downgrades,
    sum((change_type = 'plan_upgraded')::INTEGER) OVER w AS upgrades,
    max(valid_from) FILTER (WHERE change_type = 'plan_downgraded') OVER w AS last_downgrade_at
  FROM dim_member
  WINDOW w AS (PARTITION BY member_id ORDER BY valid_from, change_event_id ROWS UNBOUNDED PRECEDING)
), timeline AS (
  -- member days and changes in time order, a day before a change made at its very start
  SELECT member_id, feature_ts AS at_ts, 0 AS is_change, NULL AS seq, date, feature_ts, created_ts FROM member_days
  UNION ALL SELECT member_id, valid_from, 1, seq, NULL, NULL, NULL FROM changes
), days AS (
  SELECT member_id, date, feature_ts, created_ts, is_change,
    max(seq) OVER (PARTITION BY member_id ORDER BY at_ts, is_change ROWS UNBOUNDED PRECEDING) AS seq
  FROM timeline
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
  (year(g.date) - year(c.birth_date) - CASE WHEN month(g.date) * 100 + day(g.date) < month(c.birth_date) * 100 + day(c.birth_date) THEN 1 ELSE 0 END)::INTEGER AS age_years,
  c.club_id AS home_club
FROM days g
LEFT JOIN changes c ON c.member_id = g.member_id AND c.seq = g.seq
WHERE g.is_change = 0
