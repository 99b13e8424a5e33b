import type { Engine } from '../../pipelines/engine/engine';
import { DataError } from '../../core/errors';

export interface WeeklySeries {
  sku: string;
  name: string;
  weeks: string[];
  units: number[];
  /** The partial week just before the first complete one (the data starting mid-week), when it has sales days. */
  before?: { week: string; days: number; units: number };
}

/**
 * Weekly (Monday-start, local days) units of every supplement SKU and their total, from gold, over
 * the complete weeks only (a partial first or last week would look like a collapse in demand); the
 * partial week before the first complete one is kept aside (`before`) for the same week a year later.
 */
export async function weeklySupplementSales(db: Engine): Promise<WeeklySeries[]> {
  const rows = await db.query(`
    WITH bounds AS (SELECT min(date) AS lo, max(date) AS hi FROM dim_date),
    weeks AS (
      SELECT strftime(w, '%Y-%m-%d') AS week, (least(w + INTERVAL 6 DAY, hi)::DATE - greatest(w, lo)::DATE + 1)::INTEGER AS days
      FROM bounds, unnest(range(date_trunc('week', lo), date_trunc('week', hi) + INTERVAL 1 WEEK, INTERVAL 1 WEEK)) t(w)
      WHERE w + INTERVAL 6 DAY <= hi
    ),
    skus AS (SELECT DISTINCT sku, product_name FROM revenue_by_product_daily WHERE category = 'supplements')
    SELECT s.sku, s.product_name AS name, w.week, w.days, coalesce(sum(r.units), 0)::DOUBLE AS units
    FROM skus s CROSS JOIN weeks w
    LEFT JOIN revenue_by_product_daily r ON r.sku = s.sku AND strftime(date_trunc('week', r.date), '%Y-%m-%d') = w.week
    GROUP BY ALL ORDER BY s.sku, w.week`);
  if (rows.length === 0) throw new DataError('no complete weeks of supplement sales in gold; run the pipeline on more days');
  const bySku = new Map<string, WeeklySeries>();
  for (const r of rows) {
    const s = bySku.get(String(r.sku)) ?? { sku: String(r.sku), name: String(r.name), weeks: [], units: [] };
    if (Number(r.days) === 7) {
      s.weeks.push(String(r.week));
      s.units.push(Number(r.units));
    } else s.before = { week: String(r.week), days: Number(r.days), units: Number(r.units) };
    bySku.set(s.sku, s);
  }
  const series = [...bySku.values()];
  if (series[0].weeks.length === 0) throw new DataError('no complete weeks of supplement sales in gold; run the pipeline on more days');
  const first = series[0].before;
  const total: WeeklySeries = {
    sku: 'TOTAL', name: 'All supplements', weeks: series[0].weeks, units: series[0].weeks.map((_, i) => series.reduce((s, x) => s + x.units[i], 0)),
    ...(first ? { before: { ...first, units: series.reduce((s, x) => s + (x.before?.units ?? 0), 0) } } : {}),
  };
  return [total, ...series];
}

/** Members on the books (an active membership version) at the start of each week (`weeks`: Mondays). */
export async function weeklyMembers(db: Engine, weeks: string[]): Promise<number[]> {
  if (weeks.length === 0) return [];
  const list = weeks.map((w) => `(DATE '${w}')`).join(', ');
  const rows = await db.query(`
    WITH w(week) AS (VALUES ${list})
    SELECT strftime(w.week, '%Y-%m-%d') AS week, count(m.member_id)::DOUBLE AS members
    FROM w LEFT JOIN dim_member m ON m.status = 'active' AND m.valid_from <= w.week::TIMESTAMPTZ AND (m.valid_to IS NULL OR m.valid_to > w.week::TIMESTAMPTZ)
    GROUP BY ALL ORDER BY week`);
  const byWeek = new Map(rows.map((r) => [String(r.week), Number(r.members)]));
  return weeks.map((w) => byWeek.get(w) ?? 0);
}
