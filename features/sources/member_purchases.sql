-- A member's purchases of each product per local day, as events: the last sale time that day
-- (feature_ts), the day the lines became known (created_ts; lines landing on different days are
-- separate rows), the units and the product's name and category.
SELECT
  r.member_id,
  max(r.sold_at) AS feature_ts,
  fitlake_day_start(fitlake_known_date(r.sale_date, r._source_file, r._batch_id)) AS created_ts,
  CAST(r.sale_date AS STRING) AS day,
  r.sku,
  p.name AS product_name,
  p.category,
  CAST(sum(r.quantity) AS DOUBLE) AS units
FROM retail_sales r
JOIN dim_product p ON p.sku = r.sku
WHERE r.member_id IS NOT NULL
GROUP BY r.member_id, r.sale_date, fitlake_known_date(r.sale_date, r._source_file, r._batch_id), r.sku, p.name, p.category
