-- model: sku_alias
-- layer: silver
-- depends: bronze_products
-- description: Known SKU variants mapped to their product: each canonical SKU, its legacy codes and
--   the misspellings the retail team has mapped, keyed by normalised text (upper case, letters and
--   digits only). A key claimed by two products is ambiguous and left out.
WITH latest AS (
  SELECT * FROM bronze_products
  QUALIFY row_number() OVER (PARTITION BY sku ORDER BY fitlake_ts(updated_at) DESC, _batch_id DESC, _line_number DESC) = 1
), aliases AS (
  SELECT sku, sku AS alias, 'canonical' AS kind FROM latest
  UNION ALL SELECT sku, unnest(fitlake_json_strings(legacy_codes)), 'legacy_code' FROM latest
  UNION ALL SELECT sku, unnest(fitlake_json_strings(known_aliases)), 'known_typo' FROM latest
)
SELECT fitlake_norm_sku(alias) AS alias_key, min(sku) AS sku, min(kind) AS kind
FROM aliases
GROUP BY 1
HAVING count(DISTINCT sku) = 1
ORDER BY alias_key
