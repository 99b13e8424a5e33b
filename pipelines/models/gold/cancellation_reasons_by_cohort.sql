-- model: cancellation_reasons_by_cohort
-- layer: gold
-- depends: dim_member, cancellations
-- description: Cancellations by join cohort month and reason category, with each reason's share of the cohort's cancellations.
WITH c AS (
  SELECT date_trunc('month', m.join_date)::DATE AS cohort_month, x.reason_category
  FROM cancellations x JOIN (SELECT member_id, min(join_date) AS join_date FROM dim_member GROUP BY member_id) m USING (member_id)
)
SELECT cohort_month, reason_category, count(*)::INTEGER AS cancellations,
  round(count(*) / sum(count(*)) OVER (PARTITION BY cohort_month), 4) AS share
FROM c GROUP BY cohort_month, reason_category
ORDER BY cohort_month, cancellations DESC, reason_category
