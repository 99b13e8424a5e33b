-- model: revenue_by_product_daily
-- layer: gold
-- depends: retail_sales, dim_product
-- description: Retail revenue per local day, product and category: units, receipt lines, revenue
--   (quantity × unit price as rung up), split between members and walk-ins.
SELECT s.sale_date AS date, s.sku, p.name AS product_name, p.category,
  sum(s.quantity)::INTEGER AS units,
  count(*)::INTEGER AS lines,
  sum(s.amount)::DECIMAL(14, 2) AS revenue,
  coalesce(sum(s.amount) FILTER (WHERE s.member_id IS NOT NULL), 0)::DECIMAL(14, 2) AS member_revenue,
  coalesce(sum(s.amount) FILTER (WHERE s.member_id IS NULL), 0)::DECIMAL(14, 2) AS walk_in_revenue
FROM retail_sales s JOIN dim_product p USING (sku)
GROUP BY ALL
ORDER BY date, sku
