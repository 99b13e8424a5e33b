import { epochDayToIso, isoToEpochDay } from '../../core/dates';
import { DataError } from '../../core/errors';
import type { Engine } from '../../pipelines/engine/engine';
import { dataCutoff } from '../lake';
import type { TrainContext } from '../trained';

/** The feature service the forecast trains on: daily units per product, as known at its cutoff. */
export const FORECAST_SERVICE = 'supplement_forecast';

export interface WeeklySeries {
  sku: string;
  name: string;
  weeks: string[];
  units: number[];
  /** The partial week just before the first complete one (the data starting mid-week), when it has sales days. */
  before?: { week: string; days: number; units: number };
}

/** Units of one product on one local day. */
export interface DailyUnits {
  sku: string;
  name: string;
  day: string;
  units: number;
}

const NO_WEEKS = 'no complete weeks of supplement sales; run the pipeline on more days';
/** The Monday starting a day's week (epoch day 0, 1970-01-01, was a Thursday). */
const monday = (day: number) => day - ((day + 3) % 7);

/**
 * Weekly (Monday-start, local days) units of every SKU in `daily` and their total over the calendar
 * `first`..`last`, complete weeks only (a partial first or last week would look like a collapse in
 * demand); the partial week before the first complete one is kept aside (`before`) for the same
 * week a year later. SKUs in SKU order; a week with no sales is 0.
 */
export function weeklySeries(daily: readonly DailyUnits[], first: string, last: string): WeeklySeries[] {
  const lo = isoToEpochDay(first);
  const hi = isoToEpochDay(last);
  const starts: number[] = [];
  for (let w = monday(lo); w + 6 <= hi; w += 7) starts.push(w);
  const complete = starts.filter((w) => w >= lo);
  const partial = starts.find((w) => w < lo);
  if (complete.length === 0) throw new DataError(NO_WEEKS);
  const index = new Map(complete.map((w, i) => [w, i]));
  const bySku = new Map<string, WeeklySeries>();
  const partialWeek = () => (partial === undefined ? {} : { before: { week: epochDayToIso(partial), days: partial + 7 - lo, units: 0 } });
  for (const d of daily) {
    const s: WeeklySeries = bySku.get(d.sku) ?? { sku: d.sku, name: d.name, weeks: complete.map(epochDayToIso), units: complete.map(() => 0), ...partialWeek() };
    bySku.set(d.sku, s);
    const w = monday(isoToEpochDay(d.day));
    const i = index.get(w);
    if (i !== undefined) s.units[i] += d.units;
    else if (w === partial) s.before!.units += d.units;
  }
  const series = [...bySku.values()].sort((a, b) => (a.sku < b.sku ? -1 : 1));
  if (series.length === 0) throw new DataError(NO_WEEKS);
  const total: WeeklySeries = { sku: 'TOTAL', name: 'All supplements', weeks: complete.map(epochDayToIso), units: complete.map((_, i) => series.reduce((s, x) => s + x.units[i], 0)), ...partialWeek() };
  if (total.before) total.before.units = series.reduce((s, x) => s + x.before!.units, 0);
  return [total, ...series];
}

/**
 * Weekly units of every supplement SKU and their total, through the feature store: every daily sales
 * row of the `supplement_forecast` service known at the lakehouse's cutoff, over its calendar.
 */
export async function weeklySupplementSales(ctx: Pick<TrainContext, 'store' | 'lakehouse' | 'timezone' | 'duckdb'>): Promise<{ series: WeeklySeries[]; asOf: Date }> {
  const { asOf, first, last } = await dataCutoff(ctx);
  const events = await ctx.store.getEvents({ service: FORECAST_SERVICE }, asOf);
  const daily = (await events.rows()).filter((r) => r.category === 'supplements').map((r) => ({ sku: String(r.sku), name: String(r.product_name), day: String(r.day), units: Number(r.units) }));
  return { series: weeklySeries(daily, first, last), asOf };
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
