import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { addDays } from '../../core/dates';
import { dirname, join } from 'node:path';
import { faultPoint } from '../../core/faults';
import type { ForecastModel, ForecastSeries } from '../../training/forecast/model';
import { Z95 } from '../../training/forecast/model';
import { renderCsv, renderHtml, renderMarkdown, seriesChart } from './render';

export interface ReportOptions {
  /** Weeks of forecast shown (4–8; the model holds 8). */
  weeks: number;
  /** Supplier lead time in weeks: the reorder point covers demand over it. */
  leadTimeWeeks: number;
  /** Service level of the safety stock (one-sided normal quantile), e.g. 0.95. */
  serviceLevel: number;
}

export interface SkuReport {
  sku: string;
  name: string;
  method: string;
  forecast: ForecastSeries['forecast'];
  /** Units sold in the same ISO week a year earlier, per forecast week (null: not in the history). */
  lastYear: (number | null)[];
  /** Forecast total vs the same ISO weeks last year, over the weeks that history covers (null when none). */
  changeVsLastYear: number | null;
  /** How many of the shown weeks have last year's units. */
  comparedWeeks: number;
  backtest: ForecastSeries['backtest'];
  reorder: { leadTimeDemand: number; safetyStock: number; orderUpToLevel: number };
}

export interface WeeklyReport {
  isoWeek: string;
  model: { name: string; version: string };
  lastWeek: string;
  options: ReportOptions;
  skus: SkuReport[];
}

/** ISO-8601 week of a date (YYYY-Www). */
export function isoWeek(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const dow = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - dow + 3);
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  const week = 1 + Math.round(((d.getTime() - firstThursday.getTime()) / 86400000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}


/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const q = p < 0.5 ? Math.sqrt(-2 * Math.log(p)) : Math.sqrt(-2 * Math.log(1 - p));
  const tail = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail;
  if (p > 1 - 0.02425) return -tail;
  const r = (p - 0.5) ** 2;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * (p - 0.5)) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** The report's numbers, computed from the forecast model alone (no other data). */
export function buildReport(model: ForecastModel, version: { name: string; version: string }, opts: ReportOptions): WeeklyReport {
  const z = normalQuantile(opts.serviceLevel);
  const skus = model.series.map((s): SkuReport => {
    const forecast = s.forecast.slice(0, opts.weeks);
    const history = new Map(s.history.map((h) => [h.week, h.units]));
    const lastYear = forecast.map((p) => history.get(addDays(p.week, -7 * 52)) ?? null);
    const compared = forecast.map((p, i) => [p.mean, lastYear[i]] as const).filter((x): x is readonly [number, number] => x[1] !== null);
    const lyTotal = compared.reduce((a, x) => a + x[1], 0);
    const lead = s.forecast.slice(0, opts.leadTimeWeeks);
    const leadTimeDemand = lead.reduce((a, p) => a + p.mean, 0);
    // h-step standard deviations from the 95% half-widths; errors treated as independent across weeks
    const sd = Math.sqrt(lead.reduce((a, p) => a + ((p.hi95 - p.mean) / Z95) ** 2, 0));
    const safetyStock = z * sd;
    return {
      sku: s.sku, name: s.name, method: s.method, forecast, lastYear,
      changeVsLastYear: lyTotal > 0 ? compared.reduce((a, x) => a + x[0], 0) / lyTotal - 1 : null,
      comparedWeeks: compared.length,
      backtest: s.backtest,
      reorder: { leadTimeDemand, safetyStock, orderUpToLevel: Math.ceil(leadTimeDemand + safetyStock) },
    };
  });
  return { isoWeek: isoWeek(model.series[0].forecast[0].week), model: version, lastWeek: model.lastWeek, options: opts, skus };
}

/**
 * Writes `<out>/<ISO week>/` (report.html, report.md, forecast.csv, chart.svg) into a sibling
 * folder first and swaps it in by rename, so a failed run leaves the previous report as it was and
 * a re-run for the same week and model writes the same bytes.
 */
export function writeReport(report: WeeklyReport, model: ForecastModel, out: string): string {
  const target = join(out, report.isoWeek);
  const staging = `${target}.tmp-${process.pid}`;
  // leftovers of runs killed mid-write (their staging or swapped-out folders)
  if (existsSync(out)) for (const f of readdirSync(out)) if (f.startsWith(`${report.isoWeek}.tmp-`) || f.startsWith(`${report.isoWeek}.old-`)) rmSync(join(out, f), { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const total = model.series.find((s) => s.sku === 'TOTAL') ?? model.series[0];
  writeFileSync(join(staging, 'forecast.csv'), renderCsv(report));
  writeFileSync(join(staging, 'report.md'), renderMarkdown(report));
  writeFileSync(join(staging, 'chart.svg'), seriesChart(total, report.options.weeks, report.skus.find((s) => s.sku === total.sku)?.lastYear));
  writeFileSync(join(staging, 'report.html'), renderHtml(report, model));
  faultPoint('report.before_swap');
  mkdirSync(dirname(target), { recursive: true });
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
  return target;
}
