-- model: dim_product
-- layer: silver
-- depends: bronze_products
-- description: The product catalog, latest record per SKU, with its category and list price.
SELECT sku, name, category, try_cast(price AS DECIMAL(10, 2)) AS price, fitlake_ts(updated_at) AS updated_at
FROM bronze_products
QUALIFY row_number() OVER (PARTITION BY sku ORDER BY fitlake_ts(updated_at) DESC, _batch_id DESC, _line_number DESC) = 1
ORDER BY sku
