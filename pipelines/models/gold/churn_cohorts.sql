-- model: churn_cohorts
-- layer: gold
-- depends: dim_member, cancellations, dim_date
-- description: Monthly join cohorts × months since joining. members = the cohort's size; retained =
--   still a member on the first day of month k after the join month (cancellation effective later, or
--   none); cancelled_in_month = cancellations taking effect during month k. Only months the data
--   covers are reported; members who joined before the data began form cohorts by their join month.
WITH bounds AS (SELECT max(month_start) AS last_month FROM dim_date),
members AS (
  SELECT m.member_id, date_trunc('month', min(m.join_date))::DATE AS cohort_month, min(c.effective_date) AS cancelled_on
  FROM dim_member m LEFT JOIN cancellations c USING (member_id)
  GROUP BY m.member_id
),
offsets AS (
  SELECT cohort_month, k, fitlake_add_months(cohort_month, k) AS month_start
  FROM (SELECT DISTINCT cohort_month FROM members), bounds, unnest(fitlake_ints(1 + datediff('month', cohort_month, last_month))) AS t(k)
)
SELECT o.cohort_month, o.k AS months_since_join, o.month_start,
  count(*)::INTEGER AS members,
  count(*) FILTER (WHERE m.cancelled_on IS NULL OR m.cancelled_on > o.month_start)::INTEGER AS retained,
  count(*) FILTER (WHERE m.cancelled_on >= o.month_start AND m.cancelled_on < o.month_start + INTERVAL 1 MONTH)::INTEGER AS cancelled_in_month,
  round(count(*) FILTER (WHERE m.cancelled_on IS NULL OR m.cancelled_on > o.month_start) / count(*), 4) AS retention_rate,
  round(count(*) FILTER (WHERE m.cancelled_on >= o.month_start AND m.cancelled_on < o.month_start + INTERVAL 1 MONTH)
    / nullif(count(*) FILTER (WHERE m.cancelled_on IS NULL OR m.cancelled_on > o.month_start), 0), 4) AS cancellation_rate
FROM offsets o JOIN members m USING (cohort_month)
WHERE o.month_start >= (SELECT min(month_start) FROM dim_date)
GROUP BY ALL
ORDER BY o.cohort_month, months_since_join
