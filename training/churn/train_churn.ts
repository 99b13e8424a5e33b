import { createHash } from 'node:crypto';
import type { Row } from '../../pipelines/engine/duckdb/db';
import { InsufficientDataError } from '../../core/errors';
import { churnEntitySql, churnTrainingSet } from '../../features/training_sets';
import { memberShareFor, readLake } from '../lake';
import { brier, calibrationBins, calibrationSlope, expectedCalibrationError, logLoss, prAuc, rocAuc, rocCurve, topLift } from '../metrics/classification';
import { fitLogistic } from '../models/logistic_regression';
import { lineChart } from '../plots/svg';
import { gate, type Gate, type TrainContext, type TrainedModel } from '../trained';
import { truthChurnProbabilities } from '../truth';
import { fitDesign, designMatrix } from './design';
import { predictChurn, withDerived, type ChurnModel, type Derived } from './model';

export const CHURN_PARAMS = {
  l2: 1e-3,
  horizonDays: 30,
  minHistoryDays: 90,
  /** Share of the latest snapshots held out for out-of-time evaluation. */
  testFraction: 0.25,
  categorical: ['plan', 'billing_cycle', 'engagement_segment', 'home_club'],
  /** At most about this many snapshot rows are read into memory: above it, a deterministic sample of members. */
  maxRows: 600_000,
};

/** Threshold effects the linear model cannot draw on its own (new members, dormant members, heavy-tailed counts). */
export const CHURN_DERIVED: Derived[] = [
  { name: 'tenure_lt_90', input: 'tenure_days', op: 'lt', value: 90 },
  { name: 'tenure_lt_365', input: 'tenure_days', op: 'lt', value: 365 },
  { name: 'no_visit_30d', input: 'visits_30d', op: 'eq', value: 0 },
  { name: 'log_app_sessions_30d', input: 'app_sessions_30d', op: 'log1p' },
  { name: 'log_days_since_last_visit', input: 'days_since_last_visit', op: 'log1p' },
];

const KEYS = new Set(['member_id', 'event_timestamp', 'snapshot_date', 'label']);
const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/** Balanced class weights; returns the weights and the log-odds shift that undoes them in the intercept. */
function balance(y: Float64Array): { weights: Float64Array; shift: number } {
  const pos = y.reduce((a, b) => a + b, 0);
  if (pos === 0 || pos === y.length) throw new InsufficientDataError('churn training rows hold a single class; more history is needed');
  const w1 = (y.length - pos) / pos;
  return { weights: y.map((v) => (v === 1 ? w1 : 1)), shift: Math.log(w1) };
}

/** The weighted, penalized problem a churn fit solves: design learned from `rows`, balanced weights. */
export function churnProblem(rows: Row[], features: string[]) {
  const categorical = CHURN_PARAMS.categorical;
  const expanded = rows.map((r) => withDerived(r, CHURN_DERIVED));
  const numeric = [...features.filter((f) => !categorical.includes(f)), ...CHURN_DERIVED.map((d) => d.name)];
  const design = fitDesign(expanded, numeric, categorical);
  const { X, n, d } = designMatrix(design, expanded);
  const y = Float64Array.from(rows, (r) => Number(r.label));
  return { design, X, n, d, y, ...balance(y) };
}

export type ChurnMeta = Pick<ChurnModel, 'featureService' | 'registryVersion' | 'features' | 'horizonDays' | 'dataVersion' | 'trainedThrough'>;

/** Fits the model on `rows` with the design learned from them (`l2`: the penalty, default CHURN_PARAMS.l2). */
export function fitChurn(rows: Row[], features: string[], meta: ChurnMeta, l2 = CHURN_PARAMS.l2) {
  const { design, X, n, d, y, weights, shift } = churnProblem(rows, features);
  const lr = fitLogistic(X, y, n, d, { l2, weights });
  const model: ChurnModel = { kind: 'churn', formatVersion: 1, ...meta, derived: CHURN_DERIVED, design, intercept: lr.intercept - shift, coef: lr.coef, bands: { medium: 0, high: 0 } };
  const p = Array.from(predictChurn(model, rows)).sort((a, b) => a - b);
  model.bands = { medium: p[Math.floor(0.7 * (p.length - 1))], high: p[Math.floor(0.9 * (p.length - 1))] };
  return { model, losses: lr.losses, iterations: lr.iterations };
}

/** The churn training set split out of time: the latest `testFraction` of monthly snapshots are the test set. */
export async function churnSplit(ctx: Pick<TrainContext, 'store' | 'timezone' | 'lakehouse' | 'duckdb' | 'logger'>) {
  const opts = { horizonDays: CHURN_PARAMS.horizonDays, minHistoryDays: CHURN_PARAMS.minHistoryDays };
  ctx.store.resolve({ service: 'churn' }); // the registry's own errors first (none applied, no such service)
  const memberShare = await readLake(ctx, (lake) => memberShareFor(lake, churnEntitySql(opts), CHURN_PARAMS.maxRows));
  if (memberShare < 1) ctx.logger.info({ memberShare: Number(memberShare.toFixed(4)) }, 'churn: training on a deterministic sample of members');
  const set = await churnTrainingSet(ctx.store, { ...opts, memberShare });
  const rows = await set.rows();
  await set.close();
  const features = set.columns.filter((c) => !KEYS.has(c));
  const snapshots = [...new Set(rows.map((r) => day(r.snapshot_date)))].sort();
  if (snapshots.length < 2) throw new InsufficientDataError(`churn needs at least 2 monthly snapshots with a full ${CHURN_PARAMS.horizonDays}-day horizon; the data has ${snapshots.length} (generate more days)`);
  const nTest = Math.max(1, Math.round(snapshots.length * CHURN_PARAMS.testFraction));
  const firstTest = snapshots[snapshots.length - nTest];
  return { rows, features, snapshots, firstTest, memberShare, train: rows.filter((r) => day(r.snapshot_date) < firstTest), test: rows.filter((r) => day(r.snapshot_date) >= firstTest) };
}

/** Calibration slope the release gate accepts (1 is perfect; a random predictor's is near 0). */
export const CALIBRATION_SLOPE = { min: 0.8, max: 1.25 };

/** Out-of-time metrics of probabilities `p` against labels `y`; `base` is the training churn rate. */
export function churnMetrics(p: Float64Array, y: Float64Array, base: number) {
  const cal = calibrationSlope(p, y);
  return {
    roc_auc: rocAuc(p, y), pr_auc: prAuc(p, y), log_loss: logLoss(p, y), brier: brier(p, y), ece: expectedCalibrationError(p, y), top_decile_lift: topLift(p, y, 0.1),
    calibration_slope: cal.slope, calibration_intercept: cal.intercept,
    baseline_log_loss: logLoss(new Float64Array(y.length).fill(base), y), baseline_pr_auc: y.reduce((a, b) => a + b, 0) / y.length,
  };
}

/**
 * The release gates. Each one is failed by a constant predictor, a random one and a model fitted on
 * shuffled labels (tested): ranking (AUC), calibration measured by the recalibration slope as well
 * as ECE (ECE alone is passed by a constant base rate), and log loss below the base rate's.
 */
export function churnGates(m: ReturnType<typeof churnMetrics>): Gate[] {
  const { min, max } = CALIBRATION_SLOPE;
  return [
    gate('beats chance', m.roc_auc > 0.6, `AUC ${m.roc_auc.toFixed(4)} > 0.6`),
    gate('calibrated', m.ece <= 0.03 && m.calibration_slope >= min && m.calibration_slope <= max, `ECE ${m.ece.toFixed(4)} ≤ 0.03 and calibration slope ${m.calibration_slope.toFixed(3)} in [${min}, ${max}]`),
    gate('beats base rate', m.log_loss < m.baseline_log_loss, `log loss ${m.log_loss.toFixed(4)} < ${m.baseline_log_loss.toFixed(4)}`),
  ];
}

/** Churn: logistic regression on the `churn` feature service, evaluated out of time, refitted on all snapshots. */
export async function trainChurn(ctx: TrainContext): Promise<TrainedModel> {
  const { rows, features, snapshots, firstTest, memberShare, train, test } = await churnSplit(ctx);
  const service = ctx.store.registry().services.find((s) => s.name === 'churn');
  const refs = ctx.store.resolve({ service: 'churn' }).flatMap((v) => v.features.map((f) => `${v.view.name}:${f.name}`));
  const dataVersion = createHash('sha256').update(JSON.stringify([ctx.store.registry().version, snapshots, rows.length, rows.reduce((s, r) => s + Number(r.label), 0)])).digest('hex').slice(0, 16);
  const meta = { featureService: service?.name ?? 'churn', registryVersion: ctx.store.registry().version, features: refs, horizonDays: CHURN_PARAMS.horizonDays, dataVersion, trainedThrough: snapshots[snapshots.length - 1] };
  ctx.logger.info({ rows: rows.length, train: train.length, test: test.length, features: features.length, firstTest }, 'churn: fitting');

  const holdout = fitChurn(train, features, meta);
  const p = predictChurn(holdout.model, test);
  const y = Float64Array.from(test, (r) => Number(r.label));
  const base = train.reduce((s, r) => s + Number(r.label), 0) / train.length;
  const truth = truthChurnProbabilities(ctx.lakehouse, new Set(test.map((r) => String(r.member_id))));
  const oracle = truth ? test.map((r) => truth.get(`${r.member_id}|${day(r.snapshot_date)}`) ?? NaN) : null;
  const oracleAuc = oracle && oracle.every(Number.isFinite) ? rocAuc(oracle, y) : NaN;
  const metrics = {
    ...churnMetrics(p, y, base),
    oracle_roc_auc: oracleAuc, test_rows: test.length, train_rows: train.length, test_churn_rate: y.reduce((a, b) => a + b, 0) / y.length,
  };
  const final = fitChurn(rows, features, meta);
  const roc = rocCurve(p, y);
  const cal = calibrationBins(p, y);
  return {
    name: 'churn',
    artifact: final.model,
    params: { model: 'logistic_regression', solver: 'newton_irls', l2: CHURN_PARAMS.l2, class_weight: 'balanced', horizon_days: CHURN_PARAMS.horizonDays, min_history_days: CHURN_PARAMS.minHistoryDays, first_test_snapshot: firstTest, member_share: memberShare, inputs: final.model.coef.length, features: features.length },
    metrics,
    curves: { train_loss: final.losses, holdout_train_loss: holdout.losses },
    tags: { 'fitlake.feature_service': 'churn', 'fitlake.train_rows': String(rows.length), 'fitlake.snapshots': `${snapshots[0]}..${snapshots[snapshots.length - 1]}` },
    files: [
      { path: 'evaluation/churn_metrics.json', content: JSON.stringify({ metrics, calibration: cal, firstTest, snapshots }, null, 1) },
      { path: 'plots/roc.svg', content: lineChart({ title: `Churn ROC (out-of-time, AUC ${metrics.roc_auc.toFixed(3)})`, xLabel: 'false positive rate', yLabel: 'true positive rate', series: [{ label: 'model', x: roc.fpr, y: roc.tpr, color: '#1f77b4' }, { label: 'chance', x: [0, 1], y: [0, 1], color: '#999', kind: 'dashed' }] }) },
      { path: 'plots/calibration.svg', content: lineChart({ title: `Churn calibration (ECE ${metrics.ece.toFixed(4)})`, xLabel: 'mean predicted probability', yLabel: 'observed churn rate', series: [{ label: 'model', x: cal.map((b) => b.predicted), y: cal.map((b) => b.observed), color: '#d62728' }, { label: 'perfect', x: [0, Math.max(...cal.map((b) => b.predicted))], y: [0, Math.max(...cal.map((b) => b.predicted))], color: '#999', kind: 'dashed' }] }) },
    ],
    primary: { metric: 'roc_auc', better: 'higher' },
    gates: churnGates(metrics),
    summary: [
      { metric: 'roc_auc', model: metrics.roc_auc, baseline: 0.5, truth: oracleAuc, better: 'higher' },
      { metric: 'pr_auc', model: metrics.pr_auc, baseline: metrics.baseline_pr_auc, better: 'higher' },
      { metric: 'log_loss', model: metrics.log_loss, baseline: metrics.baseline_log_loss, better: 'lower' },
      { metric: 'ece', model: metrics.ece, better: 'lower' },
      { metric: 'top_decile_lift', model: metrics.top_decile_lift, baseline: 1, better: 'higher' },
    ],
  };
}
