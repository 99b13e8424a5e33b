-- model: retail_sales
-- layer: silver
-- depends: retail_sales__classified
-- partition_by: sale_date
-- description: Valid receipt lines with the canonical SKU, how it was matched, and amount = quantity × unit price.
SELECT txn_id, line_no, sold_at, sale_date, club_id, member_id, sku, sku_raw, sku_match, quantity, unit_price, amount, payment_method, _source_file, _line_number, _batch_id
FROM retail_sales__classified WHERE _status = 'ok'
ORDER BY sale_date, sold_at, txn_id, line_no
