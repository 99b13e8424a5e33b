import { addDays, isoToEpochDay } from '../../core/dates';
import { fitRidge } from '../models/linalg';
import { backtestOrigins, scoreOrigin, SEASON, type BacktestPoint } from './backtest';
import type { WeeklySeries } from './weekly_sales';

/** A point forecast and the standard deviation of its error, per step ahead. */
export interface SeriesForecast {
  mean: number[];
  sd: number[];
}

/** Ridge penalty of the SKU-mix regression (per row; a year of trend has variance ≈ 0.08): a light pull towards no trend. */
const MIX_L2 = 0.005;

/**
 * The regressors of the SKU-mix model at a Monday: trend in years, and winter against summer (the
 * cosine of the day of the year). The sine is left out: over a single year it is nearly collinear
 * with the trend (correlation ≈ −0.8), and the two would trade places in extrapolation.
 */
function mixInputs(week: string, origin: string): number[] {
  const t = (isoToEpochDay(week) - isoToEpochDay(origin)) / 365.25;
  const doy = (isoToEpochDay(week) - isoToEpochDay(`${week.slice(0, 4)}-01-01`)) / 365.25;
  return [t, Math.cos(2 * Math.PI * doy)];
}

/**
 * Each SKU's share of the total at future `weeks`: log share regressed on a trend and winter against
 * summer (ridge), extrapolated, then normalized so the shares sum to 1 every week.
 */
function futureShares(skus: WeeklySeries[], total: number[], weeks: string[], future: string[]): number[][] {
  const origin = weeks[0];
  const d = 2;
  const X = new Float64Array(weeks.length * d);
  weeks.forEach((w, i) => X.set(mixInputs(w, origin), i * d));
  const raw = skus.map((s) => {
    const y = Float64Array.from(s.units, (u, i) => Math.log((u + 0.5) / (total[i] + 0.5 * skus.length)));
    const fit = fitRidge(X, y, weeks.length, d, MIX_L2);
    return future.map((w) => Math.exp(mixInputs(w, origin).reduce((z, x, k) => z + fit.coef[k] * x, fit.intercept)));
  });
  return future.map((_, h) => {
    const sum = raw.reduce((s, r) => s + r[h], 0);
    return raw.map((r) => r[h] / sum);
  });
}

/** Complete weeks a year of data holds at least (a year starting mid-week has 51 and two partial ones). */
export const YEAR_WEEKS = SEASON - 1;
/** Once two years exist, growth is the last this many weeks' units over the same weeks a year before. */
const GROWTH_WEEKS = 13;

/**
 * How much bigger the chain is than a year ago: with two years, units of the last quarter over the
 * same quarter a year before (members and what each buys); with one, members on the books now over
 * the earliest week (what each member buys more or less cannot be told from the season with one year).
 */
function yearOverYear(total: WeeklySeries, members: number[]): number {
  const n = total.units.length;
  const sum = (from: number, to: number) => total.units.slice(from, to).reduce((a, b) => a + b, 0);
  if (n >= SEASON + GROWTH_WEEKS) return sum(n - GROWTH_WEEKS, n) / Math.max(sum(n - GROWTH_WEEKS - SEASON, n - SEASON), 1);
  return members[n - 1] / Math.max(members[Math.max(n - 1 - SEASON, 0)], 1);
}

/** Units of the total in week `idx` (−1: the partial week before the first complete one, scaled to 7 days). */
function unitsAt(total: WeeklySeries, idx: number): number {
  if (idx >= 0) return total.units[idx];
  const b = total.before;
  return b && b.days >= 4 ? (b.units * 7) / b.days : total.units[0];
}

/**
 * The yearly-seasonal forecast for a chain with a year of weeks (`members` on the books at each
 * week's start): the total is the same week's units a year before, grown as the chain grew over the
 * year (`yearOverYear`); each SKU gets its share of the total from the SKU-mix model, so the SKUs sum
 * to the total exactly. The error of the total is last year's week-to-week noise of units per member,
 * growing with the step; a SKU's adds its count noise and its share's residual noise.
 */
export function seasonalForecast(total: WeeklySeries, skus: WeeklySeries[], members: number[], horizon: number): { total: SeriesForecast; skus: SeriesForecast[] } {
  const n = total.units.length;
  if (n < YEAR_WEEKS) throw new Error(`the seasonal forecast needs ${YEAR_WEEKS} weeks, got ${n}`);
  const growth = yearOverYear(total, members);
  const future = Array.from({ length: horizon }, (_, h) => addDays(total.weeks[n - 1], 7 * (h + 1)));
  const mean = future.map((_, h) => unitsAt(total, n + h - SEASON) * growth);
  const rate = total.units.map((u, i) => Math.max(u, 1) / Math.max(members[i], 1));
  const steps = rate.slice(1).map((r, i) => Math.log(r / rate[i]));
  const noise = Math.sqrt(steps.reduce((s, v) => s + v * v, 0) / Math.max(steps.length, 1) / 2);
  const totalSd = mean.map((m, h) => m * noise * Math.sqrt(1 + (h + 1) / SEASON));
  const shares = futureShares(skus, total.units, total.weeks, future);
  return {
    total: { mean, sd: totalSd },
    skus: skus.map((s, j) => {
      const m = mean.map((t, h) => t * shares[h][j]);
      const resid = residualShareSd(s.units, total.units, skus.length);
      return { mean: m, sd: m.map((v, h) => Math.sqrt(v + (v * resid) ** 2 + (totalSd[h] * shares[h][j]) ** 2)) };
    }),
  };
}

/** The spread of a SKU's weekly log share around its mean beyond Poisson noise (a relative sd). */
function residualShareSd(units: number[], total: number[], skus: number): number {
  const logs = units.map((u, i) => Math.log((u + 0.5) / (total[i] + 0.5 * skus)));
  const mu = logs.reduce((a, b) => a + b, 0) / logs.length;
  const varLog = logs.reduce((s, v) => s + (v - mu) ** 2, 0) / Math.max(logs.length - 1, 1);
  const meanUnits = units.reduce((a, b) => a + b, 0) / units.length;
  return Math.sqrt(Math.max(varLog - 1 / Math.max(meanUnits, 1), 0));
}

/**
 * Rolling-origin backtest of the seasonal forecast, per series (total first): only origins with a
 * year of weeks behind them, so with a single year there are none.
 */
export function seasonalBacktest(series: WeeklySeries[], members: number[], origins: number, horizon: number): BacktestPoint[][] {
  const out: BacktestPoint[][] = series.map(() => []);
  for (const o of backtestOrigins(series[0].units.length, origins, horizon, YEAR_WEEKS)) {
    const cut = series.map((s) => ({ ...s, weeks: s.weeks.slice(0, o), units: s.units.slice(0, o) }));
    const fc = seasonalForecast(cut[0], cut.slice(1), members.slice(0, o), horizon);
    [fc.total, ...fc.skus].forEach((f, i) => out[i].push(...scoreOrigin(series[i].sku, series[i].units, o, f, horizon)));
  }
  return out;
}
