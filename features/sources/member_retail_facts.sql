-- Retail purchases by members per local day and the day they became known.
SELECT
  r.member_id,
  r.sale_date AS d,
  fitlake_known_date(r.sale_date, r._source_file, r._batch_id) AS avail,
  sum(r.amount)::DOUBLE AS spend,
  coalesce(sum(r.amount) FILTER (WHERE p.category = 'supplements'), 0)::DOUBLE AS supplement_spend,
  coalesce(sum(r.amount) FILTER (WHERE p.category = 'juice_bar'), 0)::DOUBLE AS juice_bar_spend,
  count(DISTINCT r.txn_id) AS purchases
FROM retail_sales r LEFT JOIN dim_product p USING (sku)
WHERE r.member_id IS NOT NULL
GROUP BY ALL
