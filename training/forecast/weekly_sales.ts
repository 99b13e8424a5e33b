import type { Engine } from '../../pipelines/engine/engine';
import { DataError } from '../../core/errors';

export interface WeeklySeries {
  sku: string;
  name: string;
  weeks: string[];
  units: number[];
}

/**
 * Weekly (Monday-start, local days) units of every supplement SKU and their total, from gold, over
 * the complete weeks only (a partial first or last week would look like a collapse in demand).
 */
export async function weeklySupplementSales(db: Engine): Promise<WeeklySeries[]> {
  const rows = await db.query(`
    WITH bounds AS (SELECT min(date) AS lo, max(date) AS hi FROM revenue_by_product_daily),
    weeks AS (
      SELECT strftime(w, '%Y-%m-%d') AS week FROM bounds, unnest(range(date_trunc('week', lo), date_trunc('week', hi) + INTERVAL 1 WEEK, INTERVAL 1 WEEK)) t(w)
      WHERE w >= lo AND w + INTERVAL 6 DAY <= hi
    ),
    skus AS (SELECT DISTINCT sku, product_name FROM revenue_by_product_daily WHERE category = 'supplements')
    SELECT s.sku, s.product_name AS name, w.week, coalesce(sum(r.units), 0)::DOUBLE AS units
    FROM skus s CROSS JOIN weeks w
    LEFT JOIN revenue_by_product_daily r ON r.sku = s.sku AND strftime(date_trunc('week', r.date), '%Y-%m-%d') = w.week
    GROUP BY ALL ORDER BY s.sku, w.week`);
  if (rows.length === 0) throw new DataError('no complete weeks of supplement sales in gold; run the pipeline on more days');
  const bySku = new Map<string, WeeklySeries>();
  for (const r of rows) {
    const s = bySku.get(String(r.sku)) ?? { sku: String(r.sku), name: String(r.name), weeks: [], units: [] };
    s.weeks.push(String(r.week));
    s.units.push(Number(r.units));
    bySku.set(s.sku, s);
  }
  const series = [...bySku.values()];
  const total: WeeklySeries = { sku: 'TOTAL', name: 'All supplements', weeks: series[0].weeks, units: series[0].weeks.map((_, i) => series.reduce((s, x) => s + x.units[i], 0)) };
  return [total, ...series];
}
