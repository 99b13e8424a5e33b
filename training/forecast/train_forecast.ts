import { createHash } from 'node:crypto';
import { addDays, epochDayToIso, isoToEpochDay } from '../../core/dates';
import { InsufficientDataError } from '../../core/errors';
import { trainedOn, trainedOnTags } from '../features_used';
import { readLake } from '../lake';
import { forecastEts, selectEts } from '../models/ets';
import { lineChart } from '../plots/svg';
import { gate, type TrainContext, type TrainedModel } from '../trained';
import { readTruthCsv } from '../truth';
import { backtest, MIN_ORIGIN, naiveScale, SEASON, summarize, type BacktestPoint, type BacktestSummary } from './backtest';
import { Z80, Z95, type ForecastModel, type ForecastSeries } from './model';
import { seasonalBacktest, seasonalForecast, YEAR_WEEKS, type SeriesForecast } from './seasonal';
import { FORECAST_SERVICE, weeklyMembers, weeklySupplementSales, type WeeklySeries } from './weekly_sales';

export const FORECAST_PARAMS = { horizon: 8, backtestOrigins: 12, backtestHorizon: 4 };


function methodName(fit: ReturnType<typeof selectEts>): string {
  return `ETS(A,${fit.spec.trend === 'damped' ? 'Ad' : 'N'},${fit.spec.season ? 'A' : 'N'})`;
}

/** What the artifact keeps of one series' forecast: the method, its parameters, the points. */
interface Planned {
  method: string;
  params?: ForecastSeries['params'];
  fc: SeriesForecast;
}

/** Each series' own ETS (chosen by AICc), the total then replaced by the sum of the SKUs (bottom-up). */
function etsPlans(series: WeeklySeries[], horizon: number): Planned[] {
  const plans = series.map((s): Planned => {
    const fit = selectEts(s.units, SEASON);
    return { method: methodName(fit), params: { alpha: fit.alpha, beta: fit.beta, phi: fit.phi, gamma: fit.gamma, season: fit.spec.season }, fc: forecastEts(fit, horizon) };
  });
  const skus = plans.slice(1);
  plans[0] = { method: `sum of the SKUs' ETS (bottom-up)`, fc: { mean: plans[0].fc.mean.map((_, h) => skus.reduce((t, p) => t + Math.max(0, p.fc.mean[h]), 0)), sd: plans[0].fc.sd } };
  return plans;
}

/** The seasonal plan (a year of history): last year's same week × growth, SKUs as shares of it (the total their exact sum). */
function seasonalPlans(series: WeeklySeries[], members: number[], horizon: number): Planned[] {
  const fc = seasonalForecast(series[0], series.slice(1), members, horizon);
  const total = { mean: fc.total.mean.map((_, h) => fc.skus.reduce((t, f) => t + Math.max(0, f.mean[h]), 0)), sd: fc.total.sd };
  return [{ method: 'same week a year before × growth', fc: total }, ...fc.skus.map((f) => ({ method: 'share of the total (SKU trend + yearly harmonic)', fc: f }))];
}

function finalSeries(s: WeeklySeries, plan: Planned, points: BacktestPoint[]): ForecastSeries {
  const last = s.weeks[s.weeks.length - 1];
  const bt = summarize(points);
  return {
    sku: s.sku, name: s.name, method: plan.method, ...(plan.params ? { params: plan.params } : {}),
    history: s.weeks.map((week, i) => ({ week, units: s.units[i] })),
    forecast: plan.fc.mean.map((mu, i) => {
      const m = Math.max(0, mu);
      const sd = plan.fc.sd[i];
      return { week: addDays(last, 7 * (i + 1)), mean: m, lo80: Math.max(0, m - Z80 * sd), hi80: m + Z80 * sd, lo95: Math.max(0, m - Z95 * sd), hi95: m + Z95 * sd };
    }),
    backtest: { mase: bt.mase, smape: bt.smape, coverage80: bt.coverage80, coverage95: bt.coverage95, naiveMase: bt.naiveMase },
  };
}

/** The largest gap, over the horizon, between the total's forecast and the sum of the SKUs' (0 when coherent). */
export function coherenceGap(model: Pick<ForecastModel, 'series'>): number {
  const total = model.series.find((s) => s.sku === 'TOTAL');
  if (!total) return NaN;
  const skus = model.series.filter((s) => s.sku !== 'TOTAL');
  return Math.max(...total.forecast.map((p, h) => Math.abs(p.mean - skus.reduce((t, s) => t + s.forecast[h].mean, 0))));
}

/**
 * The served forecast against the generator's expected demand of the weeks after the data (when the
 * truth has them): MASE over every series and step, and the total's largest relative error in January.
 */
function aheadAccuracy(lakehouse: string, model: ForecastModel, series: WeeklySeries[]): { mase: number; totalRelError: number; januaryRelError: number } {
  const truth = readTruthCsv(lakehouse, 'supplement_weekly_demand_ahead.csv');
  const none = { mase: NaN, totalRelError: NaN, januaryRelError: NaN };
  if (!truth) return none;
  const expected = new Map<string, number>();
  for (const r of truth) {
    expected.set(`${r.sku}|${r.week_start}`, Number(r.expected_units));
    expected.set(`TOTAL|${r.week_start}`, (expected.get(`TOTAL|${r.week_start}`) ?? 0) + Number(r.expected_units));
  }
  const scale = new Map(series.map((s) => [s.sku, naiveScale(s.units)]));
  const errs: number[] = [];
  const total: number[] = [];
  const january: number[] = [];
  for (const s of model.series) {
    for (const p of s.forecast) {
      const e = expected.get(`${s.sku}|${p.week}`);
      if (e === undefined) return none;
      errs.push(Math.abs(e - p.mean) / scale.get(s.sku)!);
      if (s.sku !== 'TOTAL') continue;
      total.push(Math.abs(e - p.mean) / e);
      if (p.week.slice(5, 7) === '01') january.push(Math.abs(e - p.mean) / e);
    }
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mase: avg(errs), totalRelError: avg(total), januaryRelError: january.length ? Math.max(...january) : NaN };
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
/**
 * The release gates: backtest MASE below 1 and below (seasonal, with a year behind the origins)
 * naive's, 80 % intervals covering 70–90 %, and the total equal to the sum of the SKUs every week.
 */
export function forecastGates(bt: BacktestSummary, model: Pick<ForecastModel, 'series'>, seasonalNaive: boolean) {
  const gap = coherenceGap(model);
  const scale = Math.max(1, ...(model.series.find((s) => s.sku === 'TOTAL')?.forecast.map((p) => p.mean) ?? []));
  return [
    gate('beats naive', bt.mase < 1 && bt.mase < bt.naiveMase, `backtest MASE ${bt.mase.toFixed(3)} < 1 and < ${seasonalNaive ? 'seasonal ' : ''}naive's ${bt.naiveMase.toFixed(3)}`),
    gate('80% interval calibrated', bt.coverage80 >= 0.7 && bt.coverage80 <= 0.9, `coverage ${bt.coverage80.toFixed(3)} in [0.70, 0.90]`),
    gate('coherent', gap <= 1e-9 * scale, `TOTAL − Σ SKUs ≤ ${gap.toExponential(1)} units in every week`),
  ];
}

/**
 * Which forecast is served: with a year of weeks the seasonal one, chosen over ETS by backtest MASE
 * where origins with a year behind them exist and by rule where none do (ETS cannot see a yearly
 * season in one year); under a year, ETS with the total reconciled bottom-up.
 */
function choosePlan(series: WeeklySeries[], members: number[], etsPoints: BacktestPoint[][]) {
  const P = FORECAST_PARAMS;
  const ets = { name: 'ets', plans: etsPlans(series, P.horizon), points: etsPoints };
  if (series[0].units.length < YEAR_WEEKS) return { chosen: ets, other: null, rule: 'under a year of weeks: ETS' };
  const seasonal = { name: 'seasonal', plans: seasonalPlans(series, members, P.horizon), points: seasonalBacktest(series, members, P.backtestOrigins, P.backtestHorizon) };
  if (seasonal.points[0].length === 0) return { chosen: seasonal, other: ets, rule: 'a year of weeks, no origin with a year behind it: seasonal by rule (backtest figures are ETS\'s)' };
  const better = summarize(seasonal.points.flat()).mase <= summarize(etsPoints.flat()).mase;
  return { chosen: better ? seasonal : ets, other: better ? ets : seasonal, rule: 'lower backtest MASE of seasonal and ETS' };
}

/** Weekly supplement sales per SKU and in total: seasonal (a year of weeks) or ETS, rolling-origin backtested, TOTAL = Σ SKUs. */
export async function trainForecast(ctx: TrainContext): Promise<TrainedModel> {
  const P = FORECAST_PARAMS;
  const { series, asOf } = await weeklySupplementSales(ctx);
  const members = await readLake(ctx, (lake) => weeklyMembers(lake, series[0].weeks));
  const used = trainedOn(ctx.store, FORECAST_SERVICE);
  const weeks = series[0]?.weeks ?? [];
  const needed = MIN_ORIGIN + P.backtestHorizon;
  if (weeks.length < needed) throw new InsufficientDataError(`supplement-forecast needs at least ${needed} weeks of supplement sales to backtest; the data has ${weeks.length} (generate more days)`);
  ctx.logger.info({ series: series.length, weeks: weeks.length, first: weeks[0], last: weeks[weeks.length - 1] }, 'forecast: backtesting');
  ctx.progress.start('forecast backtest', series.length);
  const etsPoints = series.map((s) => {
    const p = backtest(s.sku, s.units, P.backtestOrigins, P.backtestHorizon);
    ctx.progress.tick();
    return p;
  });
  ctx.progress.stop();
  const { chosen, other, rule } = choosePlan(series, members, etsPoints);
  const points = chosen.points[0].length > 0 ? chosen.points : etsPoints;
  const all = summarize(points.flat());
  const total = summarize(points[0]);
  const oracle = oracleMase(ctx.lakehouse, points.flat(), series);
  const dataVersion = createHash('sha256').update(JSON.stringify(series.map((s) => [s.sku, s.units]))).digest('hex').slice(0, 16);
  const build = (plans: Planned[]): ForecastModel => ({ kind: 'forecast', formatVersion: 1, lastWeek: weeks[weeks.length - 1], horizon: P.horizon, series: series.map((s, i) => finalSeries(s, plans[i], points[i])), dataVersion, trainedThrough: addDays(weeks[weeks.length - 1], 7), ...used });
  const model = build(chosen.plans);
  const gap = coherenceGap(model);
  const ahead = aheadAccuracy(ctx.lakehouse, model, series);
  const aheadOther = other ? aheadAccuracy(ctx.lakehouse, build(other.plans), series) : null;
  const covs = model.series.map((s) => s.backtest.coverage80);
  const metrics = {
    mase: all.mase, smape: all.smape, naive_mase: all.naiveMase, naive_smape: all.naiveSmape, coverage_80: all.coverage80, coverage_95: all.coverage95, oracle_mase: oracle,
    total_mase: total.mase, total_smape: total.smape, backtest_points: all.points, weeks: weeks.length, relative_mae_vs_naive: all.mase / all.naiveMase,
    coherence_gap: gap, coverage_80_min_series: Math.min(...covs), coverage_80_max_series: Math.max(...covs),
    ahead_mase: ahead.mase, ahead_total_rel_error: ahead.totalRelError, ahead_january_max_rel_error: ahead.januaryRelError,
    ...(aheadOther ? { other_ahead_mase: aheadOther.mase, other_ahead_january_max_rel_error: aheadOther.januaryRelError } : {}),
  };
  return {
    name: 'supplement-forecast',
    artifact: model,
    params: { model: chosen.name, rule, other: other?.name ?? 'none', candidates: 'seasonal (units per member a year before × growth, SKU shares), ETS ANN/AAdN (+ANA/AAdA with ≥ 2 years, AICc)', season: SEASON, horizon: P.horizon, backtest_origins: P.backtestOrigins, backtest_horizon: P.backtestHorizon, backtested: chosen.points[0].length > 0 ? chosen.name : 'ets', baseline: weeks.length > SEASON ? 'seasonal naive (52)' : 'naive (under a year of history)' },
    metrics,
    curves: { backtest_mase_by_origin: [...new Set(points.flat().map((p) => p.origin))].map((o) => summarize(points.flat().filter((p) => p.origin === o)).mase) },
    tags: { ...trainedOnTags(used), 'fitlake.as_of': asOf.toISOString(), 'fitlake.members_source': 'silver.dim_member', 'fitlake.series': String(series.length), 'fitlake.forecast_method': chosen.name },
    files: [
      { path: 'evaluation/forecast_backtest.json', content: JSON.stringify({ metrics, rule, perSeries: model.series.map((s) => ({ sku: s.sku, method: s.method, ...s.backtest })) }, null, 1) },
      ...model.series.map((s) => ({ path: `plots/forecast_${s.sku}.svg`, content: plot(s) })),
    ],
    primary: { metric: 'mase', better: 'lower' },
    gates: forecastGates(all, model, weeks.length > SEASON),
    summary: [
      { metric: 'mase (backtest)', model: all.mase, baseline: all.naiveMase, truth: oracle, better: 'lower' },
      { metric: 'smape (backtest)', model: all.smape, baseline: all.naiveSmape, better: 'lower' },
      { metric: 'coverage_80', model: all.coverage80, truth: 0.8, better: 'higher' },
      { metric: 'coverage_95', model: all.coverage95, truth: 0.95, better: 'higher' },
      { metric: `next ${P.horizon} weeks: mase vs truth${other ? ` (baseline: ${other.name})` : ''}`, model: ahead.mase, baseline: aheadOther?.mase, truth: oracle, better: 'lower' },
      { metric: 'January: max |error| of TOTAL', model: ahead.januaryRelError, baseline: aheadOther?.januaryRelError, truth: 0, better: 'lower' },
    ],
  };
}
