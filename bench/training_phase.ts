// Child process of the training benchmark: fits fitlake's models on a built lakehouse, exports the
// same training sets for the Python peers, runs them, and scores both with the same evaluation code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config';
import { createLogger } from '../core/logger';
import { noProgress } from '../core/progress';
import { FeatureStore } from '../features/store';
import { designMatrix } from '../training/churn/design';
import { withDerived } from '../training/churn/model';
import { CHURN_DERIVED, CHURN_PARAMS, churnProblem, churnSplit } from '../training/churn/train_churn';
import { backtest, summarize, type BacktestPoint } from '../training/forecast/backtest';
import { weeklySupplementSales } from '../training/forecast/weekly_sales';
import { rocAuc } from '../training/metrics/classification';
import { fitAls } from '../training/models/als';
import { fitLogistic, predictLogistic } from '../training/models/logistic_regression';
import { prepareData } from '../training/prepare';
import { buildMatrix, evaluateFactors, recommenderParams, recommenderSplit } from '../training/recommend/train_recommender';
import { median } from './stats';

const bin = (dir: string, name: string, a: Float64Array | Int32Array) => writeFileSync(join(dir, name), Buffer.from(a.buffer, a.byteOffset, a.byteLength));

function timed<T>(runs: number, fn: () => T): { result: T; seconds: number } {
  const times: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = fn();
    times.push((performance.now() - t0) / 1000);
  }
  return { result, seconds: median(times) };
}

async function main(): Promise<void> {
  const [root, python, script] = process.argv.slice(2);
  const logger = createLogger('warn');
  const config = loadConfig({ lakehouse: root, logLevel: 'warn' }, {}, root);
  const store = FeatureStore.open(config, { logger });
  const ctx = { store, lakehouse: root, timezone: config.timezone, seed: config.seed, duckdb: config.duckdb, logger, progress: noProgress };
  const dir = mkdtempSync(join(tmpdir(), 'fitlake-train-bench-'));
  try {
    await prepareData(config, store, { logger, progress: noProgress });
    const churn = await churnSplit(ctx);
    const p = churnProblem(churn.train, churn.features);
    const test = designMatrix(p.design, churn.test.map((r) => withDerived(r, CHURN_DERIVED)));
    const yTest = Float64Array.from(churn.test, (r) => Number(r.label));
    const lr = timed(3, () => fitLogistic(p.X, p.y, p.n, p.d, { l2: CHURN_PARAMS.l2, weights: p.weights }));
    const churnOurs = { auc: rocAuc(predictLogistic(lr.result, test.X, test.n), yTest), fitSeconds: lr.seconds, rows: p.n, inputs: p.d, iterations: lr.result.iterations };
    for (const [name, a] of Object.entries({ X_train: p.X, y_train: p.y, w_train: p.weights, X_test: test.X, y_test: yTest })) bin(dir, `${name}.f64`, a);
    const meta: Record<string, unknown> = { churn: { n: p.n, d: p.d, n_test: test.n, l2: CHURN_PARAMS.l2 }, als: {}, forecast: {} };

    const als: Record<string, { split: Awaited<ReturnType<typeof recommenderSplit>>; data: ReturnType<typeof buildMatrix>; ours: Record<string, number> }> = {};
    for (const target of ['classes', 'products'] as const) {
      const P = recommenderParams(target);
      const split = await recommenderSplit(ctx, target);
      const data = buildMatrix(split.train, split.itemIndex, P.scaling);
      const fit = timed(3, () => fitAls(data.matrix, { ...P, seed: config.seed, trackLoss: false }));
      const m = evaluateFactors(target, split, data, fit.result).metrics;
      als[target] = { split, data, ours: { precision_at_10: m.precision_at_10, ndcg_at_10: m.ndcg_at_10, popularity_precision_at_10: m.popularity_precision_at_10, fitSeconds: fit.seconds, users: data.matrix.rows, items: data.matrix.cols, nnz: data.matrix.indices.length } };
      bin(dir, `${target}_indptr.i32`, data.matrix.indptr);
      bin(dir, `${target}_indices.i32`, data.matrix.indices);
      bin(dir, `${target}_conf.f64`, data.matrix.values.map((v) => 1 + P.alpha * v));
      (meta.als as Record<string, unknown>)[target] = { rows: data.matrix.rows, cols: data.matrix.cols, factors: P.factors, regularization: P.regularization, iterations: P.iterations, cg_steps: P.cgSteps, seed: config.seed };
    }

    const { series } = await weeklySupplementSales(ctx);
    const fc = timed(1, () => series.map((s) => backtest(s.sku, s.units, 12, 4)));
    meta.forecast = { series: series.map((s) => ({ sku: s.sku, units: s.units })), origins: 12, horizon: 4 };
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));

    const peer = JSON.parse(execFileSync(python, [script, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OPENBLAS_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' } }).trim().split('\n').at(-1)!);
    const alsOut: Record<string, unknown> = {};
    for (const target of ['classes', 'products'] as const) {
      const f32 = (name: string) => {
        const b = readFileSync(join(dir, name));
        return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
      };
      const P = recommenderParams(target);
      const m = evaluateFactors(target, als[target].split, als[target].data, { factors: P.factors, userFactors: f32(`${target}_user_factors.f32`), itemFactors: f32(`${target}_item_factors.f32`) }).metrics;
      alsOut[target] = { fitlake: als[target].ours, implicit: { precision_at_10: m.precision_at_10, ndcg_at_10: m.ndcg_at_10, fitSeconds: peer.als[target].fit_seconds, fitSeconds1Thread: peer.als[target].fit_seconds_1_thread } };
    }
    const peerPoints: BacktestPoint[] = fc.result.flat().map((pt) => ({ ...pt, mean: Math.max(0, peer.forecast.means[`${pt.series}|${pt.origin}|${pt.h}`]) }));
    const ours = summarize(fc.result.flat());
    const theirs = summarize(peerPoints);
    const out = {
      churn: { fitlake: churnOurs, sklearn: peer.churn },
      als: alsOut,
      forecast: { fitlake: { mase: ours.mase, smape: ours.smape, coverage80: ours.coverage80, fitSeconds: fc.seconds }, statsmodels: { mase: theirs.mase, smape: theirs.smape, coverage80: theirs.coverage80, fitSeconds: peer.forecast.fit_seconds }, naiveMase: ours.naiveMase, points: ours.points },
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
