-- model: retail_sales__classified
-- layer: silver
-- depends: bronze_retail_sales, sku_alias, member_ids
-- partition_by: sale_date
-- lookups: member_ids(member_id)
-- description: (Audit table.) Receipt lines with the printed SKU resolved to a product through the alias table
--   (exact SKU, legacy code, known misspelling, or the same letters and digits). Unresolvable SKUs,
--   unknown members (walk-ins have none and are fine), bad quantities or prices are quarantined.
WITH typed AS (
  SELECT txn_id || '#' || line_no AS _record_key, txn_id, try_cast(line_no AS INTEGER) AS line_no, fitlake_ts(sold_at) AS sold_at,
    club_id, member_id, sku AS sku_raw, fitlake_norm_sku(sku) AS sku_key, try_cast(quantity AS INTEGER) AS quantity,
    try_cast(unit_price AS DECIMAL(10, 2)) AS unit_price, payment_method, _source_file, _line_number, _batch_id,
    row_number() OVER (PARTITION BY txn_id, line_no ORDER BY _batch_id, _source_file, _line_number) AS _copy
  FROM bronze_retail_sales
)
SELECT t.* EXCLUDE (_copy, sku_key), a.sku,
  CASE WHEN a.sku IS NULL THEN NULL WHEN t.sku_raw = a.sku THEN 'exact' WHEN a.kind = 'canonical' THEN 'normalised' ELSE a.kind END AS sku_match,
  t.quantity * t.unit_price AS amount,
  fitlake_local_date(t.sold_at) AS sale_date,
  fitlake_row_status(_copy, r.reason) AS _status,
  fitlake_row_reason(_copy, r.reason) AS _reason
FROM typed t
LEFT JOIN sku_alias a ON a.alias_key = t.sku_key
LEFT JOIN member_ids m ON m.member_id = t.member_id,
LATERAL (SELECT CASE
  WHEN t.sold_at IS NULL THEN 'bad_timestamp'
  WHEN a.sku IS NULL THEN 'unknown_sku'
  WHEN t.quantity IS NULL OR t.quantity < 1 OR t.quantity > 100 THEN 'out_of_range:quantity'
  WHEN t.unit_price IS NULL OR t.unit_price < 0 THEN 'out_of_range:unit_price'
  WHEN t.member_id IS NOT NULL AND m.member_id IS NULL THEN 'orphan_member'
END AS reason) r
ORDER BY _source_file, _line_number
