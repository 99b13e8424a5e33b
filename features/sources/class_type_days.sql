-- One row per class type and local day (see catalog_days).
SELECT item AS class_type, date, feature_ts, created_ts FROM catalog_days WHERE entity = 'class_type'
