import { createHash } from 'node:crypto';
import type { Row } from '../../pipelines/engine/duckdb/db';
import { InsufficientDataError } from '../../core/errors';
import { keySample } from '../../pipelines/sql/sample';
import { trainedOn, trainedOnTags } from '../features_used';
import { memberShareFor, readLake } from '../lake';
import { designMatrix, fitDesign } from '../churn/design';
import { classReport, regressionReport } from '../metrics/multiclass';
import { fitRidge } from '../models/linalg';
import { fitLogistic } from '../models/logistic_regression';
import { fitMlp } from '../models/mlp';
import { gate, type TrainContext, type TrainedModel } from '../trained';
import { classifyActivity, predictCalories, type ActivityClassifier, type CalorieRegressor } from './model';

/** `maxRows`: at most about this many wearable days are read into memory (above it, a deterministic sample of members). */
export const WEARABLE_PARAMS = { testShare: 0.2, l2: 1e-4, ridge: 1e-3, maxTrainRows: 60000, maxRows: 400_000 };
/** The perceptron tried beside the linear classifier (the winner on held-out members is kept). */
export const MLP_PARAMS = { hidden: 24, epochs: 8, batch: 128, learningRate: 0.005, l2: 1e-4 };
const USABLE = 'steps IS NOT NULL AND avg_heart_rate IS NOT NULL AND calories_burned IS NOT NULL AND activity_type IS NOT NULL';
const CLASSIFIER_INPUTS = ['steps', 'log_steps', 'avg_heart_rate', 'calories_burned', 'calories_to_steps_ratio', 'sleep_hours', 'weekend'];
/** The member's recent history the classifier also reads: summaries in the window, and each activity's share of them. */
export const HISTORY_DAYS = 30;
/**
 * The feature service both wearables models read, point in time at the start of each day: what
 * serving would have read online that morning (summaries of the 30 days before, as known then) —
 * `avg_calories_30d` for the calorie regressor, the activity mix (`prev_days`, `prev_<activity>`) for the classifier.
 */
export const WEARABLES_SERVICE = 'wearables';
/** The classifier's history inputs: the days worn and each activity's share of them, from the service. */
const historyInputs = (classes: string[]) => ['prev_days', ...classes.map((c) => `prev_${c}`)];
const REGRESSOR_INPUTS = ['steps', 'avg_heart_rate', 'sleep_hours', 'weekend', 'steps_x_hr', 'avg_calories_30d'];

/** Whether a member falls in the test group: a seeded hash, so all of a member's days land on one side. */
export function isTestMember(member: string, seed: number, share: number): boolean {
  return createHash('sha256').update(`${seed}:${member}`).digest().readUInt32BE(0) / 2 ** 32 < share;
}

/**
 * Every usable wearable day (a deterministic sample of members above `maxRows`), in day then member
 * order, with the store's point-in-time features at the start of that day.
 */
export async function loadWearableDays(ctx: TrainContext): Promise<{ rows: Row[]; memberShare: number }> {
  const memberShare = await readLake(ctx, (lake) => memberShareFor(lake, `SELECT member_id FROM wearables WHERE ${USABLE}`, WEARABLE_PARAMS.maxRows));
  const days = `SELECT member_id, fitlake_day_start(activity_date) AS event_timestamp, strftime(activity_date, '%Y-%m-%d') AS day, steps::DOUBLE AS steps, ln(1 + steps)::DOUBLE AS log_steps,
      avg_heart_rate::DOUBLE AS avg_heart_rate, calories_burned::DOUBLE AS calories_burned, calories_to_steps_ratio::DOUBLE AS calories_to_steps_ratio, sleep_hours::DOUBLE AS sleep_hours,
      (day_of_week IN ('Saturday', 'Sunday'))::INTEGER::DOUBLE AS weekend, (steps * avg_heart_rate / 1000.0)::DOUBLE AS steps_x_hr, activity_type
    FROM wearables WHERE ${USABLE} AND ${keySample('member_id', memberShare)}`;
  const set = await ctx.store.getHistoricalFeatures({ sql: days }, { service: WEARABLES_SERVICE });
  try {
    return { rows: await set.rows(), memberShare };
  } finally {
    await set.close();
  }
}

/** Splits by member (never by row) and thins the training side to at most `max` rows, deterministically. */
export function splitByMember(rows: Row[], seed: number) {
  const test = rows.filter((r) => isTestMember(String(r.member_id), seed, WEARABLE_PARAMS.testShare));
  const trainAll = rows.filter((r) => !isTestMember(String(r.member_id), seed, WEARABLE_PARAMS.testShare));
  const every = Math.ceil(trainAll.length / WEARABLE_PARAMS.maxTrainRows);
  const train = trainAll.filter((_, i) => i % every === 0);
  if (train.length < 100 || test.length < 20) throw new InsufficientDataError(`wearable models need more data: ${train.length} training and ${test.length} test days`);
  return { train, test, all: rows.filter((_, i) => i % Math.ceil(rows.length / WEARABLE_PARAMS.maxTrainRows) === 0) };
}

export function wearablesVersion(rows: Row[]): { dataVersion: string; trainedThrough: string } {
  return { dataVersion: createHash('sha256').update(JSON.stringify([rows.length, rows[0]?.day, rows[rows.length - 1]?.day])).digest('hex').slice(0, 16), trainedThrough: String(rows[rows.length - 1]?.day) };
}

function fitClassifier(rows: Row[], inputs: string[], meta: ReturnType<typeof wearablesVersion>): ActivityClassifier {
  const classes = [...new Set(rows.map((r) => String(r.activity_type)))].sort();
  const design = fitDesign(rows, inputs, []);
  const { X, n, d } = designMatrix(design, rows);
  const fits = classes.map((c) => {
    const y = Float64Array.from(rows, (r) => (r.activity_type === c ? 1 : 0));
    return fitLogistic(X, y, n, d, { l2: WEARABLE_PARAMS.l2 });
  });
  return { kind: 'activity-classifier', formatVersion: 1, design, classes, intercepts: fits.map((f) => f.intercept), coef: fits.map((f) => f.coef), ...meta };
}

/** `linear` with a perceptron fitted on the same rows and design added (it then classifies). */
function withPerceptron(linear: ActivityClassifier, rows: Row[], seed: number): ActivityClassifier {
  const { X, n, d } = designMatrix(linear.design, rows);
  const y = Int32Array.from(rows, (r) => linear.classes.indexOf(String(r.activity_type)));
  const { losses: _, ...mlp } = fitMlp(X, y, n, d, linear.classes.length, { ...MLP_PARAMS, seed });
  return { ...linear, mlp };
}

export function fitCalorieRegressor(rows: Row[], meta: ReturnType<typeof wearablesVersion>): CalorieRegressor {
  const design = fitDesign(rows, REGRESSOR_INPUTS, ['activity_type']);
  const { X, n, d } = designMatrix(design, rows);
  const r = fitRidge(X, Float64Array.from(rows, (x) => Number(x.calories_burned)), n, d, WEARABLE_PARAMS.ridge);
  return { kind: 'calorie-regressor', formatVersion: 1, design, ...r, ...meta };
}

/** Accuracy and macro-F1 of `model` on `test`. */
function scoreClassifier(model: ActivityClassifier, test: Row[]) {
  const actual = test.map((r) => String(r.activity_type));
  return classReport(actual, classifyActivity(model, test).map((p) => p.label), model.classes);
}

/**
 * Activity type from a day's wearable summary and the member's activity mix of the ${HISTORY_DAYS} days before (service `wearables`, as known that morning):
 * one-vs-rest logistic regression and a small perceptron, the one with the better macro-F1 on
 * held-out members kept; against the majority class and the linear model on the day alone.
 */
export async function trainActivityClassifier(ctx: TrainContext): Promise<TrainedModel> {
  const { rows, memberShare } = await loadWearableDays(ctx);
  const classes = [...new Set(rows.map((r) => String(r.activity_type)))].sort();
  const inputs = [...CLASSIFIER_INPUTS, ...historyInputs(classes).filter((c) => c in rows[0])];
  const { train, test, all } = splitByMember(rows, ctx.seed);
  const meta = wearablesVersion(rows);
  const linear = fitClassifier(train, inputs, meta);
  const perceptron = withPerceptron(linear, train, ctx.seed);
  const linearReport = scoreClassifier(linear, test);
  const mlpReport = scoreClassifier(perceptron, test);
  const useMlp = mlpReport.macroF1 > linearReport.macroF1;
  const [holdout, report] = useMlp ? [perceptron, mlpReport] : [linear, linearReport];
  const dayOnly = scoreClassifier(fitClassifier(train, CLASSIFIER_INPUTS, meta), test);
  const counts = new Map<string, number>();
  for (const r of train) counts.set(String(r.activity_type), (counts.get(String(r.activity_type)) ?? 0) + 1);
  const majority = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const actual = test.map((r) => String(r.activity_type));
  const base = classReport(actual, actual.map(() => majority), holdout.classes);
  const metrics: Record<string, number> = {
    accuracy: report.accuracy, macro_f1: report.macroF1, baseline_accuracy: base.accuracy, baseline_macro_f1: base.macroF1,
    day_only_accuracy: dayOnly.accuracy, day_only_macro_f1: dayOnly.macroF1, test_days: test.length, train_days: train.length,
    linear_accuracy: linearReport.accuracy, linear_macro_f1: linearReport.macroF1, mlp_accuracy: mlpReport.accuracy, mlp_macro_f1: mlpReport.macroF1,
  };
  for (const c of report.perClass) Object.assign(metrics, { [`precision_${c.label}`]: c.precision, [`recall_${c.label}`]: c.recall, [`f1_${c.label}`]: c.f1 });
  return {
    name: 'activity-classifier', artifact: useMlp ? withPerceptron(fitClassifier(all, inputs, meta), all, ctx.seed) : fitClassifier(all, inputs, meta),
    params: { model: useMlp ? 'mlp' : 'one_vs_rest_logistic', candidates: 'one_vs_rest_logistic, mlp', mlp: JSON.stringify(MLP_PARAMS), inputs: inputs.join(','), history_days: HISTORY_DAYS, l2: WEARABLE_PARAMS.l2, split: 'by member', test_share: WEARABLE_PARAMS.testShare, member_share: memberShare, baseline: `majority class (${majority})` },
    metrics, curves: {}, tags: { 'fitlake.source': 'silver.wearables', ...trainedOnTags(trainedOn(ctx.store, WEARABLES_SERVICE)), 'fitlake.train_rows': String(train.length) },
    files: [{ path: 'evaluation/activity_classifier.json', content: JSON.stringify({ metrics, perClass: report.perClass }, null, 1) }],
    primary: { metric: 'macro_f1', better: 'higher' },
    gates: [
      gate('beats majority class', report.macroF1 > base.macroF1 && report.accuracy > base.accuracy, `macro-F1 ${report.macroF1.toFixed(3)} > ${base.macroF1.toFixed(3)}, accuracy ${report.accuracy.toFixed(3)} > ${base.accuracy.toFixed(3)}`),
      gate('history helps', report.macroF1 > dayOnly.macroF1, `macro-F1 ${report.macroF1.toFixed(3)} > the day-only model's ${dayOnly.macroF1.toFixed(3)}`),
    ],
    summary: [
      { metric: 'accuracy', model: report.accuracy, baseline: base.accuracy, better: 'higher' },
      { metric: 'macro_f1', model: report.macroF1, baseline: base.macroF1, better: 'higher' },
      { metric: 'macro_f1 vs the day alone', model: report.macroF1, baseline: dayOnly.macroF1, better: 'higher' },
      { metric: `macro_f1 vs ${useMlp ? 'linear' : 'perceptron'}`, model: report.macroF1, baseline: useMlp ? linearReport.macroF1 : mlpReport.macroF1, better: 'higher' },
    ],
  };
}

/** Daily calories burned from steps, heart rate, sleep and activity type: ridge regression, split by member. */
export async function trainCalorieRegressor(ctx: TrainContext): Promise<TrainedModel> {
  const { rows, memberShare } = await loadWearableDays(ctx);
  const { train, test, all } = splitByMember(rows, ctx.seed);
  const meta = wearablesVersion(rows);
  const holdout = fitCalorieRegressor(train, meta);
  const actual = Float64Array.from(test, (r) => Number(r.calories_burned));
  const report = regressionReport(actual, predictCalories(holdout, test));
  const mean = train.reduce((s, r) => s + Number(r.calories_burned), 0) / train.length;
  const base = regressionReport(actual, new Float64Array(actual.length).fill(mean));
  const metrics = { mae: report.mae, rmse: report.rmse, r2: report.r2, baseline_mae: base.mae, baseline_rmse: base.rmse, baseline_r2: base.r2, test_days: test.length, train_days: train.length };
  return {
    name: 'calorie-regressor', artifact: fitCalorieRegressor(all, meta),
    params: { model: 'ridge', inputs: [...REGRESSOR_INPUTS, 'activity_type'].join(','), lambda: WEARABLE_PARAMS.ridge, split: 'by member', test_share: WEARABLE_PARAMS.testShare, member_share: memberShare, baseline: 'training mean' },
    metrics, curves: {}, tags: { 'fitlake.source': 'silver.wearables', ...trainedOnTags(trainedOn(ctx.store, WEARABLES_SERVICE)), 'fitlake.train_rows': String(train.length) },
    files: [{ path: 'evaluation/calorie_regressor.json', content: JSON.stringify({ metrics }, null, 1) }],
    primary: { metric: 'mae', better: 'lower' },
    gates: [gate('beats the mean', report.mae < base.mae, `MAE ${report.mae.toFixed(1)} < ${base.mae.toFixed(1)}`)],
    summary: [
      { metric: 'mae', model: report.mae, baseline: base.mae, better: 'lower' },
      { metric: 'r2', model: report.r2, baseline: base.r2, better: 'higher' },
    ],
  };
}
