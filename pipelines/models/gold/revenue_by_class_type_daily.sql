-- model: revenue_by_class_type_daily
-- layer: gold
-- depends: class_checkins, dim_class_session, dim_member
-- description: Membership revenue attributed to classes. Attribution rule: a member's fee for a
--   calendar month (the monthly price, or the annual price / 12, of the plan version valid at the
--   check-in) is split equally over the classes they attended that month; each check-in carries its
--   share to the session's class type and day. Members who took no class that month attribute nothing.
WITH attended AS (
  SELECT c.member_id, c.scanned_at, c.checkin_date, s.class_type, date_trunc('month', c.checkin_date) AS month,
    CASE WHEN m.billing_cycle = 'annual' THEN m.price / 12 ELSE m.price END AS monthly_fee
  FROM class_checkins c
  JOIN dim_class_session s USING (session_id)
  JOIN dim_member m ON m.member_id = c.member_id AND c.scanned_at >= m.valid_from AND (m.valid_to IS NULL OR c.scanned_at < m.valid_to)
), shares AS (
  SELECT *, monthly_fee / count(*) OVER (PARTITION BY member_id, month) AS attributed
  FROM attended
)
SELECT checkin_date AS date, class_type, count(*)::INTEGER AS checkins, count(DISTINCT member_id)::INTEGER AS members,
  round(sum(attributed), 2)::DECIMAL(14, 2) AS attributed_revenue
FROM shares
GROUP BY ALL
ORDER BY date, class_type
