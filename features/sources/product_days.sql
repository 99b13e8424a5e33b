-- One row per product and local day (see catalog_days).
SELECT item AS sku, date, feature_ts, created_ts FROM catalog_days WHERE entity = 'product'
