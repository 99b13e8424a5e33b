-- The rows of the product and class-type views: every catalogue item (products) and class type,
-- every local day from the day after the first day of data to the day after the last.
WITH bounds AS (
  SELECT min(date) + 1 AS first_day, max(date) + 1 AS last_day FROM member_daily_activity
), items AS (
  SELECT 'product' AS entity, sku AS item FROM dim_product
  UNION ALL SELECT DISTINCT 'class_type', class_type FROM dim_class_session
)
SELECT entity, item, date, fitlake_day_start(date) AS feature_ts, fitlake_day_start(date) AS created_ts
FROM (SELECT entity, item, t.date FROM items, bounds b, unnest(fitlake_days(b.first_day, b.last_day)) AS t(date)) AS d
