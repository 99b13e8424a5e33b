-- Units, revenue and buyers of each product per local day and the day the sales became known.
SELECT
  sku,
  sale_date AS d,
  fitlake_known_date(sale_date, _source_file, _batch_id) AS avail,
  sum(quantity) AS units,
  sum(amount)::DOUBLE AS revenue,
  count(DISTINCT member_id) AS member_buyers
FROM retail_sales
GROUP BY ALL
