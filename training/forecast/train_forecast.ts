import { createHash } from 'node:crypto';
import { addDays, epochDayToIso, isoToEpochDay } from '../../core/dates';
import { InsufficientDataError } from '../../core/errors';
import { readLake } from '../lake';
import { forecastEts, selectEts } from '../models/ets';
import { lineChart } from '../plots/svg';
import { gate, type TrainContext, type TrainedModel } from '../trained';
import { readTruthCsv } from '../truth';
import { backtest, MIN_ORIGIN, SEASON, summarize, type BacktestPoint } from './backtest';
import { Z80, Z95, type ForecastModel, type ForecastSeries } from './model';
import { weeklySupplementSales, type WeeklySeries } from './weekly_sales';

export const FORECAST_PARAMS = { horizon: 8, backtestOrigins: 12, backtestHorizon: 4 };


function methodName(fit: ReturnType<typeof selectEts>): string {
  return `ETS(A,${fit.spec.trend === 'damped' ? 'Ad' : 'N'},${fit.spec.season ? 'A' : 'N'})`;
}

function finalSeries(s: WeeklySeries, points: BacktestPoint[], horizon: number): ForecastSeries {
  const fit = selectEts(s.units, SEASON);
  const fc = forecastEts(fit, horizon);
  const last = s.weeks[s.weeks.length - 1];
  const bt = summarize(points);
  return {
    sku: s.sku, name: s.name, method: methodName(fit),
    params: { alpha: fit.alpha, beta: fit.beta, phi: fit.phi, gamma: fit.gamma, season: fit.spec.season },
    history: s.weeks.map((week, i) => ({ week, units: s.units[i] })),
    forecast: fc.mean.map((mu, i) => {
      const m = Math.max(0, mu);
      return { week: addDays(last, 7 * (i + 1)), mean: m, lo80: Math.max(0, mu - Z80 * fc.sd[i]), hi80: mu + Z80 * fc.sd[i], lo95: Math.max(0, mu - Z95 * fc.sd[i]), hi95: mu + Z95 * fc.sd[i] };
    }),
    backtest: { mase: bt.mase, smape: bt.smape, coverage80: bt.coverage80, coverage95: bt.coverage95, naiveMase: bt.naiveMase },
  };
}

/** MASE of the generator's expected weekly demand on the same backtest points (what a perfect model could reach). */
function oracleMase(lakehouse: string, points: BacktestPoint[], series: WeeklySeries[]): number {
  const truth = readTruthCsv(lakehouse, 'supplement_weekly_demand.csv');
  if (!truth) return NaN;
  const expected = new Map<string, number>();
  for (const r of truth) {
    expected.set(`${r.sku}|${r.week_start}`, Number(r.expected_units));
    expected.set(`TOTAL|${r.week_start}`, (expected.get(`TOTAL|${r.week_start}`) ?? 0) + Number(r.expected_units));
  }
  const weeks = new Map(series.map((s) => [s.sku, s.weeks]));
  const errs = points.map((p) => Math.abs(p.actual - (expected.get(`${p.series}|${weeks.get(p.series)![p.origin + p.h - 1]}`) ?? NaN)) / p.scale);
  return errs.every(Number.isFinite) ? errs.reduce((a, b) => a + b, 0) / errs.length : NaN;
}

function plot(s: ForecastSeries): string {
  const fx = s.forecast.map((p) => isoToEpochDay(p.week));
  return lineChart({
    title: `${s.name} — weekly units, ${s.method}`, xLabel: 'week', yLabel: 'units', xTick: epochDayToIso,
    series: [{ label: 'history', x: s.history.map((h) => isoToEpochDay(h.week)), y: s.history.map((h) => h.units), color: '#333' }, { label: 'forecast', x: fx, y: s.forecast.map((p) => p.mean), color: '#1f77b4' }],
    bands: [{ label: '95% interval', x: fx, lo: s.forecast.map((p) => p.lo95), hi: s.forecast.map((p) => p.hi95), color: '#1f77b4' }, { label: '80% interval', x: fx, lo: s.forecast.map((p) => p.lo80), hi: s.forecast.map((p) => p.hi80), color: '#1f77b4' }],
  });
}

/** Weekly supplement sales per SKU and in total: ETS chosen by AICc, rolling-origin backtest against (seasonal) naive. */
export async function trainForecast(ctx: TrainContext): Promise<TrainedModel> {
  const P = FORECAST_PARAMS;
  const series = await readLake(ctx, weeklySupplementSales);
  const weeks = series[0]?.weeks ?? [];
  const needed = MIN_ORIGIN + P.backtestHorizon;
  if (weeks.length < needed) throw new InsufficientDataError(`supplement-forecast needs at least ${needed} weeks of supplement sales to backtest; the data has ${weeks.length} (generate more days)`);
  ctx.logger.info({ series: series.length, weeks: weeks.length, first: weeks[0], last: weeks[weeks.length - 1] }, 'forecast: backtesting');
  ctx.progress.start('forecast backtest', series.length);
  const points = series.map((s) => {
    const p = backtest(s.sku, s.units, P.backtestOrigins, P.backtestHorizon);
    ctx.progress.tick();
    return p;
  });
  ctx.progress.stop();
  const all = summarize(points.flat());
  const total = summarize(points[0]);
  const oracle = oracleMase(ctx.lakehouse, points.flat(), series);
  const dataVersion = createHash('sha256').update(JSON.stringify(series.map((s) => [s.sku, s.units]))).digest('hex').slice(0, 16);
  const model: ForecastModel = { kind: 'forecast', formatVersion: 1, lastWeek: weeks[weeks.length - 1], horizon: P.horizon, series: series.map((s, i) => finalSeries(s, points[i], P.horizon)), dataVersion, trainedThrough: addDays(weeks[weeks.length - 1], 7) };
  const metrics = {
    mase: all.mase, smape: all.smape, naive_mase: all.naiveMase, naive_smape: all.naiveSmape, coverage_80: all.coverage80, coverage_95: all.coverage95, oracle_mase: oracle,
    total_mase: total.mase, total_smape: total.smape, backtest_points: all.points, weeks: weeks.length, relative_mae_vs_naive: all.mase / all.naiveMase,
  };
  return {
    name: 'supplement-forecast',
    artifact: model,
    params: { model: 'ets_aicc', candidates: 'ANN, AAdN (+ANA, AAdA with ≥ 2 years)', season: SEASON, horizon: P.horizon, backtest_origins: P.backtestOrigins, backtest_horizon: P.backtestHorizon, baseline: weeks.length > SEASON ? 'seasonal naive (52)' : 'naive (under a year of history)' },
    metrics,
    curves: { backtest_mase_by_origin: [...new Set(points.flat().map((p) => p.origin))].map((o) => summarize(points.flat().filter((p) => p.origin === o)).mase) },
    tags: { 'fitlake.source': 'gold.revenue_by_product_daily (supplements)', 'fitlake.series': String(series.length) },
    files: [
      { path: 'evaluation/forecast_backtest.json', content: JSON.stringify({ metrics, perSeries: model.series.map((s) => ({ sku: s.sku, method: s.method, ...s.backtest })) }, null, 1) },
      ...model.series.map((s) => ({ path: `plots/forecast_${s.sku}.svg`, content: plot(s) })),
    ],
    primary: { metric: 'mase', better: 'lower' },
    gates: [
      gate('beats naive', all.mase < 1 && all.mase < all.naiveMase, `MASE ${all.mase.toFixed(3)} < 1 and < naive's ${all.naiveMase.toFixed(3)}`),
      gate('80% interval calibrated', all.coverage80 >= 0.7 && all.coverage80 <= 0.9, `coverage ${all.coverage80.toFixed(3)} in [0.70, 0.90]`),
    ],
    summary: [
      { metric: 'mase', model: all.mase, baseline: all.naiveMase, truth: oracle, better: 'lower' },
      { metric: 'smape', model: all.smape, baseline: all.naiveSmape, better: 'lower' },
      { metric: 'coverage_80', model: all.coverage80, truth: 0.8, better: 'higher' },
      { metric: 'coverage_95', model: all.coverage95, truth: 0.95, better: 'higher' },
    ],
  };
}
