-- Units of each product sold per local day (members and walk-ins), as events: the day's start
-- (feature_ts) and the day the sales became known (created_ts; sales landing late are a later row of
-- the same day), with the product's name and category.
SELECT
  r.sku,
  fitlake_day_start(r.sale_date) AS feature_ts,
  fitlake_day_start(fitlake_known_date(r.sale_date, r._source_file, r._batch_id)) AS created_ts,
  CAST(r.sale_date AS STRING) AS day,
  p.name AS product_name,
  p.category,
  CAST(sum(r.quantity) AS DOUBLE) AS units
FROM retail_sales r
JOIN dim_product p ON p.sku = r.sku
GROUP BY r.sku, r.sale_date, fitlake_known_date(r.sale_date, r._source_file, r._batch_id), p.name, p.category
