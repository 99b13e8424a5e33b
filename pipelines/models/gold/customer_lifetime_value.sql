-- model: customer_lifetime_value
-- layer: gold
-- depends: dim_member, retail_sales, cancellations, dim_date
-- description: Historical value per member as of the last day in the data (or their cancellation):
--   membership revenue = the fee of each billing period started in the observed window (monthly
--   plans bill on the join day-of-month, annual plans on the join anniversary; the plan version valid
--   at each bill), plus retail spend; tenure in days since joining. predicted_ltv is left NULL for the
--   LTV model to fill.
WITH bounds AS (SELECT min(date) AS first_day, max(date) AS last_day FROM dim_date),
members AS (
  SELECT m.member_id, min(m.join_date) AS join_date, min(m.club_id) FILTER (WHERE m.is_current) AS club_id,
    min(m.plan) FILTER (WHERE m.is_current) AS plan, min(m.billing_cycle) FILTER (WHERE m.is_current) AS billing_cycle,
    min(c.effective_date) AS cancelled_on
  FROM dim_member m LEFT JOIN cancellations c USING (member_id)
  GROUP BY m.member_id
),
bills AS (
  SELECT mb.member_id, b.bill_date
  FROM members mb, bounds,
    unnest(fitlake_month_steps(mb.join_date, least(bounds.last_day, coalesce(mb.cancelled_on - 1, bounds.last_day)), CASE WHEN mb.billing_cycle = 'annual' THEN 12 ELSE 1 END)) AS b(bill_date)
  WHERE b.bill_date >= bounds.first_day
),
billed AS (
  SELECT b.member_id, sum(m.price)::DECIMAL(14, 2) AS membership_revenue, count(*)::INTEGER AS bills
  FROM bills b JOIN dim_member m ON m.member_id = b.member_id
    AND fitlake_local_date(m.valid_from) <= b.bill_date AND (m.valid_to IS NULL OR b.bill_date < fitlake_local_date(m.valid_to))
  GROUP BY b.member_id
),
retail AS (SELECT member_id, sum(amount)::DECIMAL(14, 2) AS retail_revenue FROM retail_sales WHERE member_id IS NOT NULL GROUP BY member_id)
SELECT mb.member_id, mb.club_id, mb.plan, mb.join_date, mb.cancelled_on,
  (least(bounds.last_day, coalesce(mb.cancelled_on, bounds.last_day)) - mb.join_date)::INTEGER AS tenure_days,
  coalesce(billed.bills, 0) AS bills_in_window,
  coalesce(billed.membership_revenue, 0)::DECIMAL(14, 2) AS membership_revenue,
  coalesce(retail.retail_revenue, 0)::DECIMAL(14, 2) AS retail_revenue,
  (coalesce(billed.membership_revenue, 0) + coalesce(retail.retail_revenue, 0))::DECIMAL(14, 2) AS historical_revenue,
  NULL::DECIMAL(14, 2) AS predicted_ltv
FROM members mb CROSS JOIN bounds LEFT JOIN billed USING (member_id) LEFT JOIN retail USING (member_id)
ORDER BY mb.member_id
