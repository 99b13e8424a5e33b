import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../core/config';
import { silentLogger } from '../../core/logger';
import { noProgress } from '../../core/progress';
import { FeatureStore } from '../../features/store';
import { predictChurn, scoreChurn, type ChurnModel } from '../../training/churn/model';
import { buildMatrix, evaluateFactors, recommenderGates, recommenderParams, recommenderSplit } from '../../training/recommend/train_recommender';
import { fitAls } from '../../training/models/als';
import { addDays } from '../../core/dates';
import { buildReport } from '../../serving/report/weekly_report';
import { CHURN_PARAMS, churnGates, churnMetrics, churnProblem, churnSplit } from '../../training/churn/train_churn';
import { fitLogistic } from '../../training/models/logistic_regression';
import { Rng } from '../../pipelines/data_gen/rng';
import { loadLocalModel, loadRegisteredModel } from '../../training/loaders';
import { prepareData, type Prepared } from '../../training/prepare';
import { Recommender } from '../../training/recommend/model';
import { FileRunTracker } from '../../training/tracking/file_tracker';
import { MlflowRestTracker } from '../../training/tracking/mlflow_tracker';
import { trainModels, type ModelOutcome, type TrainReport } from '../../training/train';
import { TRAINERS } from '../../training/trainers';
import type { TrainContext } from '../../training/trained';
import { fixtureCopy, whenBuilt } from '../fixtures/cache';
import { readMeta } from '../fixtures/meta';
import { runCli } from './cli_runner';
import { mlflowPython } from './mlflow_server';
import { freePort } from './redis_server';

jest.setTimeout(300_000);

/**
 * `npm run train` on a fresh small lakehouse: prepare from nothing, train every model, track in
 * <lakehouse>/mlruns. That first run is the `small` fixture (built once per test run); what it
 * prepared and every model's outcome come from its record.
 */
describe('training on the small synthetic gym', () => {
  let lake: { root: string; cleanup: () => void };
  let config: Config;
  let store: FeatureStore;
  let tracker: FileRunTracker;
  let ctx: TrainContext;
  let built: { prepared: Prepared } & TrainReport;
  let first: ModelOutcome[];
  const by = (name: string) => first.find((o) => o.name === name)!;

  beforeAll(async () => {
    await whenBuilt('small');
    lake = fixtureCopy('small', { shared: ['landing'] }); // prepare only reads the landing files
    config = loadConfig({ lakehouse: lake.root, scale: 'small', logLevel: 'silent' }, {}, lake.root);
    store = FeatureStore.open(config, { logger: silentLogger });
    tracker = new FileRunTracker(join(lake.root, 'mlruns'));
    ctx = { store, lakehouse: lake.root, timezone: config.timezone, seed: config.seed, duckdb: config.duckdb, logger: silentLogger, progress: noProgress };
    built = readMeta(lake.root);
    first = built.outcomes;
  });
  afterAll(async () => {
    await store?.close();
    lake?.cleanup();
  });

  it('prepared everything from nothing and trained every model into <lakehouse>/mlruns', () => {
    expect(config.tracking).toEqual({ type: 'file', dir: join(lake.root, 'mlruns') });
    expect(built.prepared.generated).toBe(true);
    expect(built.prepared.ingestedFiles).toBeGreaterThan(1000);
    expect(built.prepared.tablesBuilt).toBeGreaterThan(20);
    expect(built.prepared.materializedViews).toBeGreaterThan(3);
    expect(built.skipped).toEqual([]);
    expect(first.map((o) => o.name)).toEqual(Object.keys(TRAINERS));
  });

  it('prepares nothing twice: the second prepare generates, ingests and builds nothing', async () => {
    const p = await prepareData(config, store, { logger: silentLogger, progress: noProgress });
    expect(p).toMatchObject({ generated: false, ingestedFiles: 0, tablesBuilt: 0 });
  });

  it('churn: out-of-time AUC within 0.03 of the generator’s true probabilities, calibrated', () => {
    const m = by('churn').trained.metrics;
    expect(m.oracle_roc_auc).toBeGreaterThan(0.7);
    expect(m.roc_auc).toBeGreaterThanOrEqual(m.oracle_roc_auc - 0.03);
    expect(m.ece).toBeLessThanOrEqual(0.03);
    expect(m.log_loss).toBeLessThan(m.baseline_log_loss);
    expect(m.top_decile_lift).toBeGreaterThan(2);
  });

  it('churn gates reject a constant, a random and a shuffled-label model, and pass the real one', async () => {
    const { train, test, features } = await churnSplit(ctx);
    const y = Float64Array.from(test, (r) => Number(r.label));
    const base = train.reduce((s, r) => s + Number(r.label), 0) / train.length;
    const r7 = new Rng(7);
    const rng = () => r7.next();
    const shuffled = train.map((r) => r.label);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const fitOn = (rows: typeof train) => {
      const prob = churnProblem(rows, features);
      const lr = fitLogistic(prob.X, prob.y, prob.n, prob.d, { l2: CHURN_PARAMS.l2, weights: prob.weights });
      return predictChurn({ ...by('churn').trained.artifact as ChurnModel, design: prob.design, intercept: lr.intercept - prob.shift, coef: lr.coef }, test);
    };
    const failed = (p: Float64Array) => churnGates(churnMetrics(p, y, base)).filter((g) => !g.passed).map((g) => g.name);
    expect(failed(new Float64Array(y.length).fill(base))).toEqual(['beats chance', 'calibrated', 'beats base rate']);
    expect(failed(Float64Array.from(y, () => rng()))).toEqual(['beats chance', 'calibrated', 'beats base rate']);
    expect(failed(Float64Array.from(y, () => 2 * base * rng()))).toEqual(expect.arrayContaining(['beats chance', 'calibrated']));
    expect(failed(fitOn(train.map((r, i) => ({ ...r, label: shuffled[i] }))))).toEqual(expect.arrayContaining(['beats chance', 'calibrated']));
    expect(failed(fitOn(train))).toEqual([]);
  });

  it('churn explanations are measured against the average member for numbers and categories alike', async () => {
    const model = (await loadRegisteredModel(tracker, 'churn', 'churn')).artifact;
    const { train } = await churnSplit(ctx);
    const sample = train.filter((_, i) => i % 7 === 0);
    const scores = scoreChurn(model, sample);
    const logit = (p: number) => Math.log(p / (1 - p));
    const sums = new Map<string, number>();
    for (const s of scores) {
      expect(s.contributions.reduce((a, c) => a + c.contribution, 0)).toBeCloseTo(logit(s.probability) - logit(s.averageProbability), 8);
      for (const c of s.contributions) sums.set(c.feature, (sums.get(c.feature) ?? 0) + c.contribution);
    }
    // averaged over members, every feature's contribution is about zero: no category is a reason for everyone
    for (const [feature, sum] of sums) expect([feature, Math.abs(sum / scores.length) < 0.15]).toEqual([feature, true]);
    // a category's levels sit on both sides of the average (annual members see billing as protective)
    for (const feature of CHURN_PARAMS.categorical) {
      const signs = new Set(scores.map((s) => Math.sign(s.contributions.find((c) => c.feature === feature)!.contribution)));
      expect([feature, signs.has(1) && signs.has(-1)]).toEqual([feature, true]);
    }
  });

  it('recommenders beat the strongest baseline, computed here from silver: popularity at the home club and the member\'s own history', async () => {
    for (const target of ['classes', 'products'] as const) {
      const m = by(`recommender-${target}`).trained.metrics;
      const split = await recommenderSplit(ctx, target);
      // the one-line heuristics, written independently of the trainer: counts over the training window
      const counts = new Map<string, Map<string, number>>();
      const since = addDays(split.cutoff, -90);
      const clubPop = new Map<string, Map<string, Set<string>>>();
      for (const r of split.train) {
        counts.set(r.member, (counts.get(r.member) ?? new Map()).set(r.item, (counts.get(r.member)?.get(r.item) ?? 0) + r.weight));
        if (r.day < since) continue;
        const club = split.homeClub.get(r.member) ?? '';
        const items = clubPop.get(club) ?? new Map<string, Set<string>>();
        items.set(r.item, (items.get(r.item) ?? new Set()).add(r.member));
        clubPop.set(club, items);
      }
      const relevant = new Map<string, Set<string>>();
      for (const r of split.test) relevant.set(r.member, (relevant.get(r.member) ?? new Set()).add(r.item));
      const ndcg = (ranked: string[], rel: Set<string>) => {
        const dcg = ranked.slice(0, 10).reduce((s, item, i) => s + (rel.has(item) ? 1 / Math.log2(i + 2) : 0), 0);
        const ideal = Array.from({ length: Math.min(10, rel.size) }, (_, i) => 1 / Math.log2(i + 2)).reduce((a, b) => a + b, 0);
        return dcg / ideal;
      };
      const own: number[] = [];
      const club: number[] = [];
      for (const [member, rel] of relevant) {
        const mine = counts.get(member);
        if (!mine) continue;
        const pop = clubPop.get(split.homeClub.get(member) ?? '') ?? new Map<string, Set<string>>();
        const byPop = split.catalog.map((c) => c.id).sort((a, b) => (pop.get(b)?.size ?? 0) - (pop.get(a)?.size ?? 0) || (a < b ? -1 : 1));
        club.push(ndcg(byPop, rel));
        own.push(ndcg([...byPop].sort((a, b) => (mine.get(b) ?? 0) - (mine.get(a) ?? 0)), rel));
      }
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(m.eval_members).toBe(own.length);
      expect(m.club_popularity_ndcg_at_10).toBeCloseTo(avg(club), 2);
      expect(m.ndcg_at_10).toBeGreaterThan(Math.max(avg(own), avg(club), m.popularity_ndcg_at_10, m.own_history_ndcg_at_10));
      expect(m.truth_spearman).toBeGreaterThan(0.1);
      expect(by(`recommender-${target}`).trained.gates.map((g) => g.passed)).not.toContain(false);
    }
    const classes = by('recommender-classes').trained.metrics;
    expect(classes.ndcg_at_10).toBeGreaterThanOrEqual(1.05 * classes.own_history_ndcg_at_10);
    // "try something new": slots the member never attended, against the club's popular ones they never attended
    expect(classes.new_ndcg_at_10).toBeGreaterThanOrEqual(1.5 * classes.club_popularity_new_ndcg_at_10);
    expect(classes.new_share_at_10).toBeGreaterThan(0.05);
    const products = by('recommender-products').trained.metrics;
    // knowing every member's true affinities exactly bounds what any model reaches
    expect(products.ndcg_at_10).toBeLessThanOrEqual(products.truth_ndcg_at_10);
  });

  it('recommender gates reject random, constant and shuffled-interaction factors', async () => {
    for (const target of ['classes', 'products'] as const) {
      const split = await recommenderSplit(ctx, target);
      const P = recommenderParams(target);
      const data = buildMatrix(split.train, split.itemIndex, P.scaling);
      const r7 = new Rng(7);
      const random = (n: number) => Float32Array.from({ length: n * P.factors }, () => r7.normal(0, 1));
      const items = [...split.itemIndex.keys()];
      const shuffled = buildMatrix(split.train.map((r) => ({ ...r, item: items[r7.int(items.length)] })), split.itemIndex, P.scaling);
      const bad = [
        { factors: P.factors, userFactors: random(data.members.length), itemFactors: random(items.length) },
        { factors: P.factors, userFactors: new Float32Array(data.members.length * P.factors).fill(1), itemFactors: new Float32Array(items.length * P.factors).fill(1) },
        fitAls(shuffled.matrix, { ...P, seed: 42 }),
      ];
      for (const als of bad) {
        const m = evaluateFactors(target, split, data, als).metrics;
        expect(recommenderGates(target, m, NaN).find((g) => g.name === 'strongest baseline')!.passed).toBe(false);
      }
    }
  });

  it('supplement forecast: backtest MASE < 1 and below naive, 80% intervals cover 70–90%, TOTAL = Σ SKUs', () => {
    const m = by('supplement-forecast').trained.metrics;
    expect(m.mase).toBeLessThan(1);
    expect(m.mase).toBeLessThan(m.naive_mase);
    expect(m.coverage_80).toBeGreaterThanOrEqual(0.7);
    expect(m.coverage_80).toBeLessThanOrEqual(0.9);
    expect(m.backtest_points).toBe(13 * 12 * 4);
    const model = loadLocalModel(by('supplement-forecast').localPath, 'forecast');
    const [total, ...skus] = model.series;
    total.forecast.forEach((p, h) => expect(p.mean).toBe(skus.reduce((t, s) => t + s.forecast[h].mean, 0)));
    expect(m.coherence_gap).toBe(0);
  });

  it('supplement forecast sees January with one year of data: scored against the generator\'s expected demand ahead', () => {
    const { trained, localPath } = by('supplement-forecast');
    expect(trained.params).toMatchObject({ model: 'seasonal', other: 'ets' });
    const m = trained.metrics;
    // against the truth of the 8 weeks after the data, far closer than ETS, which stays flat into January
    expect(m.ahead_mase).toBeLessThan(0.6 * m.other_ahead_mase);
    expect(m.ahead_january_max_rel_error).toBeLessThan(0.3);
    expect(m.other_ahead_january_max_rel_error).toBeGreaterThan(0.35);
    // the weekly report for the first January week shows the surge over December
    const model = loadLocalModel(localPath, 'forecast');
    const report = buildReport(model, { name: 'supplement-forecast', version: '1' }, { weeks: 8, leadTimeWeeks: 2, serviceLevel: 0.95 });
    const total = report.skus.find((s) => s.sku === 'TOTAL')!;
    const january = total.forecast.filter((p) => p.week.slice(5, 7) === '01').map((p) => p.mean);
    const december = model.series[0].history.filter((h) => h.week.slice(5, 7) === '12').map((h) => h.units);
    expect(january.length).toBeGreaterThanOrEqual(4);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(avg(january)).toBeGreaterThan(1.15 * avg(december));
    expect(Math.min(...january)).toBeGreaterThan(avg(december));
  });

  it('wearable models beat their baselines on members they never saw; segments are behaviour, not clubs', () => {
    const seg = by('segmentation').trained.metrics;
    expect(seg.silhouette).toBeGreaterThan(seg.random_silhouette + 0.05);
    expect(seg.stability).toBeGreaterThanOrEqual(0.8);
    expect(seg.home_club_cramers_v).toBeLessThan(0.2);
    const a = by('activity-classifier').trained.metrics;
    expect(a.macro_f1).toBeGreaterThan(a.baseline_macro_f1 + 0.1);
    // the member's previous 30 days tell far more than the day alone; the better of linear and perceptron is kept
    expect(a.macro_f1).toBeGreaterThan(a.day_only_macro_f1 + 0.15);
    expect(a.macro_f1).toBe(Math.max(a.linear_macro_f1, a.mlp_macro_f1));
    const kept = loadLocalModel(by('activity-classifier').localPath, 'activity-classifier');
    expect(kept.mlp !== undefined).toBe(a.mlp_macro_f1 > a.linear_macro_f1);
    const c = by('calorie-regressor').trained.metrics;
    expect(c.r2).toBeGreaterThan(0.2);
    // the member's 30-day mean comes from the feature store, point in time at the start of each day
    // both read the feature service `wearables`, point in time at the start of each day: the 30-day mean calories, the activity mix
    const wearables = ['member_wearables:avg_calories_30d', 'member_activity_mix:prev_days', ...['walking', 'running', 'cycling', 'swimming', 'yoga', 'gym_workout', 'hiking'].map((a) => `member_activity_mix:prev_${a}`)].join(',');
    for (const name of ['calorie-regressor', 'activity-classifier']) {
      expect([name, by(name).trained.tags]).toEqual([name, expect.objectContaining({ 'fitlake.feature_service': 'wearables', 'fitlake.features': wearables, 'fitlake.registry_version': expect.stringMatching(/^[1-9]\d*$/) })]);
    }
    expect(String(by('activity-classifier').trained.params.inputs)).toMatch(/,prev_days,prev_cycling,prev_gym_workout,prev_hiking,prev_running,prev_swimming,prev_walking,prev_yoga$/);
  });

  it('trains the recommenders and the forecast from their feature services, and their artifacts record the service and registry version', () => {
    const version = store.registry().version;
    const expected = {
      'recommender-classes': ['recommend_classes', 'member_class_attendance:day,member_class_attendance:club_id,member_class_attendance:class_type,member_class_attendance:weekday,member_class_attendance:start_minute,member_profile:home_club'],
      'recommender-products': ['recommend_products', 'member_purchases:day,member_purchases:sku,member_purchases:product_name,member_purchases:category,member_purchases:units,member_profile:home_club'],
      'supplement-forecast': ['supplement_forecast', 'product_daily_sales:day,product_daily_sales:product_name,product_daily_sales:category,product_daily_sales:units'],
    } as const;
    for (const [name, [service, features]] of Object.entries(expected)) {
      const o = by(name);
      expect([name, o.trained.tags]).toEqual([name, expect.objectContaining({ 'fitlake.feature_service': service, 'fitlake.features': features, 'fitlake.registry_version': String(version), 'fitlake.as_of': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) })]);
      const artifact = loadLocalModel(o.localPath, name === 'supplement-forecast' ? 'forecast' : 'recommender') as { featureService?: string; registryVersion?: number; features?: string[] };
      expect([name, artifact.featureService, artifact.registryVersion, artifact.features?.join(',')]).toEqual([name, service, version, features]);
    }
  });

  it('passes every gate, registers version 1 as champion, and serves artifacts without training data', async () => {
    for (const o of first) {
      expect(o.trained.gates.filter((g) => !g.passed)).toEqual([]);
      expect(o).toMatchObject({ version: '1', decision: { promote: true } });
      expect(o.trackingError).toBeUndefined();
      expect(existsSync(join(o.localPath, 'model.json'))).toBe(true);
    }
    const churn = await loadRegisteredModel(tracker, 'churn', 'churn');
    const [s] = scoreChurn(churn.artifact, [{ visits_30d: 0, tenure_days: 40, days_since_last_visit: 30, plan: 'basic' }]);
    expect(s.probability).toBeGreaterThan(0);
    expect(s.contributions.length).toBeGreaterThan(10);
    const rec = new Recommender((await loadRegisteredModel(tracker, 'recommender-classes', 'recommender')).artifact);
    const member = rec.model.members[0];
    expect(rec.recommend(member, 10).items).toHaveLength(10);
    expect(loadLocalModel(by('supplement-forecast').localPath, 'forecast').series[0].forecast).toHaveLength(8);
  });

  it('is deterministic across processes: `fitlake train` again gives identical metrics and keeps every champion', () => {
    // the real CLI, in its own process (numeric code runs 2–4× slower inside jest's sandbox)
    const r = runCli(['train', '--skip-prepare', '--json'], { FITLAKE_LAKEHOUSE: lake.root });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const again = JSON.parse(r.stdout) as { name: string; metrics: Record<string, number>; version: string; decision: object; localPath: string }[];
    expect(again.map((o) => o.name)).toEqual(first.map((o) => o.name));
    const plain = (m: Record<string, number>) => JSON.parse(JSON.stringify({ ...m, fit_seconds: 0 }));
    for (const o of again) {
      expect(plain(o.metrics)).toEqual(plain(by(o.name).trained.metrics));
      expect(o).toMatchObject({ version: '1', decision: { promote: false, reason: 'identical artifact; champion kept' } });
      expect(o.localPath).toBe(by(o.name).localPath);
    }
  });

  it('writes a file store that MLflow’s own client reads: runs, metric curves, registry aliases', () => {
    const out = mlflowPython(`
import json, mlflow
from mlflow import MlflowClient
mlflow.set_tracking_uri("file://${join(lake.root, 'mlruns')}")
runs = mlflow.search_runs(search_all_experiments=True)
c = MlflowClient()
v = c.get_model_version_by_alias("churn", "champion")
run = c.get_run(v.run_id)
print(json.dumps({"runs": len(runs), "finished": int((runs.status == "FINISHED").sum()), "auc": run.data.metrics["roc_auc"],
  "loss_steps": len(c.get_metric_history(v.run_id, "train_loss")), "version": int(v.version), "seed": run.data.tags["fitlake.seed"],
  "artifacts": sorted(a.path for a in c.list_artifacts(v.run_id))}))`, { cwd: lake.root }) as Record<string, unknown>;
    expect(out).toMatchObject({ runs: 2 * Object.keys(TRAINERS).length, finished: 2 * Object.keys(TRAINERS).length, auc: by('churn').trained.metrics.roc_auc, version: 1, seed: '42' });
    expect(out.loss_steps).toBe(by('churn').trained.curves.train_loss.length);
    expect(out.artifacts).toEqual(['evaluation', 'model', 'plots']);
  });

  it('keeps the trained model on disk and reports when the tracking server is down', async () => {
    const dead = new MlflowRestTracker(`http://127.0.0.1:${await freePort()}`);
    const {
      outcomes: [o],
    } = await trainModels(ctx, dead, [['supplement-forecast', TRAINERS['supplement-forecast']]]);
    expect(o.trackingError).toMatch(/cannot reach MLflow/);
    expect(o.version).toBeUndefined();
    expect(loadLocalModel(o.localPath, 'forecast').kind).toBe('forecast');
  });
});
