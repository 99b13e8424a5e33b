import { forecastEts, selectEts } from '../models/ets';
import { Z80, Z95 } from './model';

export const SEASON = 52;

/** One scored forecast: series, origin, step, actual, model and baseline forecasts, MASE scale. */
export interface BacktestPoint {
  series: string;
  origin: number;
  h: number;
  actual: number;
  mean: number;
  sd: number;
  naive: number;
  scale: number;
}

/** The seasonal period the naive baseline can use: a year when the history holds one, else the last week. */
export const naivePeriod = (n: number) => (n > SEASON ? SEASON : 1);

/** Mean absolute in-sample error of the (seasonal) naive forecast: MASE's denominator (Hyndman & Koehler 2006). */
export function naiveScale(y: number[]): number {
  const m = naivePeriod(y.length);
  let s = 0;
  for (let t = m; t < y.length; t++) s += Math.abs(y[t] - y[t - m]);
  return s / Math.max(y.length - m, 1) || 1;
}

/** The earliest origin: a forecast needs at least this many weeks behind it. */
export const MIN_ORIGIN = 8;

/** The origins of a rolling-origin backtest: the last `origins` ones that leave `horizon` weeks to score. */
export function backtestOrigins(n: number, origins: number, horizon: number, minOrigin = MIN_ORIGIN): number[] {
  const out: number[] = [];
  for (let o = n - horizon - origins + 1; o <= n - horizon; o++) if (o >= minOrigin) out.push(o);
  return out;
}

/** Scores a forecast made at origin `o` (trained on y[0..o)) against the next `horizon` weeks, beside (seasonal) naive. */
export function scoreOrigin(series: string, y: number[], o: number, fc: { mean: number[]; sd: number[] }, horizon: number): BacktestPoint[] {
  const train = y.slice(0, o);
  const m = naivePeriod(train.length);
  const scale = naiveScale(train);
  return Array.from({ length: horizon }, (_, i) => ({ series, origin: o, h: i + 1, actual: y[o + i], mean: Math.max(0, fc.mean[i]), sd: fc.sd[i], naive: train[train.length - m + (i % m)], scale }));
}

/** Rolling-origin evaluation of ETS: refit at each of the last `origins` origins, forecast `horizon` weeks ahead. */
export function backtest(series: string, y: number[], origins: number, horizon: number): BacktestPoint[] {
  return backtestOrigins(y.length, origins, horizon).flatMap((o) => scoreOrigin(series, y, o, forecastEts(selectEts(y.slice(0, o), SEASON), horizon), horizon));
}

export interface BacktestSummary {
  mase: number;
  smape: number;
  naiveMase: number;
  naiveSmape: number;
  coverage80: number;
  coverage95: number;
  points: number;
}

const smape = (a: number, f: number) => (a === 0 && f === 0 ? 0 : (200 * Math.abs(a - f)) / (Math.abs(a) + Math.abs(f)));

export function summarize(points: BacktestPoint[]): BacktestSummary {
  const n = points.length || 1;
  const sum = (f: (p: BacktestPoint) => number) => points.reduce((s, p) => s + f(p), 0) / n;
  return {
    mase: sum((p) => Math.abs(p.actual - p.mean) / p.scale),
    smape: sum((p) => smape(p.actual, p.mean)),
    naiveMase: sum((p) => Math.abs(p.actual - p.naive) / p.scale),
    naiveSmape: sum((p) => smape(p.actual, p.naive)),
    coverage80: sum((p) => (Math.abs(p.actual - p.mean) <= Z80 * p.sd ? 1 : 0)),
    coverage95: sum((p) => (Math.abs(p.actual - p.mean) <= Z95 * p.sd ? 1 : 0)),
    points: points.length,
  };
}
