import { createHash } from 'node:crypto';
import { addDays } from '../../core/dates';
import { InsufficientDataError } from '../../core/errors';
import { trainedOn, trainedOnTags } from '../features_used';
import { dataCutoff } from '../lake';
import { mean, ndcgAtK, spearman } from '../metrics/ranking';
import { fitAls, type AlsModel, type AlsOptions, type Csr } from '../models/als';
import { gate, type TrainContext, type TrainedModel } from '../trained';
import { readTruthCsv } from '../truth';
import { evaluateRankings, strongestBaseline, type RankingMetrics } from './evaluate';
import { knownBy, loadInteractions, RECOMMENDER_SERVICES, type Catalog, type Interaction, type RecommenderTarget } from './interactions';
import { encodeF32, Recommender, top, type Blend, type RecommenderModel } from './model';
import { popularity, repeatScores, type MemberScores } from './signals';
import { BLEND_GRID, HALF_LIVES, tuneBlend, type Tuned } from './tune';

/** `maxInteractions`: above it, a deterministic sample of members is trained on (memory stays bounded). */
export const RECOMMENDER_SHARED = { iterations: 15, cgSteps: 3, testDays: 56, popularityDays: 90, k: 10, maxInteractions: 1_500_000 };
/** Per-target ALS settings, chosen on the small dataset's time split (README: Training). */
export const RECOMMENDER_PARAMS: Record<RecommenderTarget, { scaling: 'log' | 'linear'; factors: number; regularization: number; alpha: number }> = {
  classes: { scaling: 'log', factors: 16, regularization: 1, alpha: 10 },
  products: { scaling: 'linear', factors: 16, regularization: 10, alpha: 40 },
};


export interface Indexed {
  members: string[];
  matrix: Csr;
}

/** The member × item matrix of log(1 + interactions) over `rows`, members sorted. */
export function buildMatrix(rows: Interaction[], itemIndex: Map<string, number>, scaling: 'log' | 'linear'): Indexed {
  const members = [...new Set(rows.map((r) => r.member))].sort();
  const mi = new Map(members.map((m, i) => [m, i]));
  const cells = new Map<number, Map<number, number>>();
  for (const r of rows) {
    const u = mi.get(r.member)!;
    const j = itemIndex.get(r.item)!;
    const row = cells.get(u) ?? new Map<number, number>();
    row.set(j, (row.get(j) ?? 0) + r.weight);
    cells.set(u, row);
  }
  const indptr = new Int32Array(members.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  members.forEach((_, u) => {
    const row = [...(cells.get(u) ?? new Map<number, number>())].sort((a, b) => a[0] - b[0]);
    for (const [j, v] of row) {
      indices.push(j);
      values.push(scaling === 'log' ? Math.log1p(v) : v);
    }
    indptr[u + 1] = indices.length;
  });
  return { members, matrix: { rows: members.length, cols: itemIndex.size, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) } };
}

function history(m: Csr, u: number): number[] {
  const pairs: [number, number][] = [];
  for (let e = m.indptr[u]; e < m.indptr[u + 1]; e++) pairs.push([m.indices[e], m.values[e]]);
  return pairs.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 20).map((p) => p[0]);
}

interface Signals {
  pop: RecommenderModel['popularity'];
  repeat: MemberScores;
  halfLifeDays: number;
  blend: Blend;
}

/** What scores a model without tuning: factor scores alone (the peer comparison in the bench). */
const FACTORS_ONLY: Pick<Tuned, 'blend' | 'halfLifeDays'> = { blend: { factor: 1, repeat: 0, prior: 0 }, halfLifeDays: HALF_LIVES[0] };

/** The popularity and own history of `rows` as of `until` (the day after the window). */
function signals(target: RecommenderTarget, rows: Interaction[], split: Pick<Split, 'itemIndex' | 'homeClub'>, until: string, tuned: Pick<Tuned, 'blend' | 'halfLifeDays'>): Signals {
  const P = recommenderParams(target);
  return { pop: popularity(rows, split.itemIndex, split.homeClub, until, P.popularityDays), repeat: repeatScores(rows, split.itemIndex, until, tuned.halfLifeDays), halfLifeDays: tuned.halfLifeDays, blend: tuned.blend };
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

/** Builds the self-contained artifact from a fitted matrix factorization and the members' own history. */
function artifact(target: RecommenderTarget, catalog: Catalog[], data: Indexed, als: Pick<AlsModel, 'factors' | 'userFactors' | 'itemFactors'>, sig: Signals, meta: { dataVersion: string; trainedThrough: string }): RecommenderModel {
  const pairs = (m: Map<number, number> | undefined) => [...(m ?? new Map<number, number>())].sort((a, b) => a[0] - b[0]);
  return {
    kind: 'recommender', formatVersion: 1, target, items: catalog.map((c) => ({ id: c.id, label: c.label, group: c.group })), members: data.members, factors: als.factors,
    userFactors: encodeF32(als.userFactors), itemFactors: encodeF32(als.itemFactors), history: data.members.map((_, u) => history(data.matrix, u)),
    // nothing is banned after an interaction (supplements are bought again and again): own history ranks them
    exclude: data.members.map(() => []), excludeDays: 0,
    repeat: data.members.map((m) => pairs(sig.repeat.get(m)).map(([j, v]) => [j, round6(v)] as [number, number])), repeatHalfLifeDays: sig.halfLifeDays, blend: sig.blend,
    popularity: sig.pop, ...meta,
  };
}

/**
 * Mean per-member Spearman correlation between model scores (max per truth key) and the generator's
 * true affinities; for products also the NDCG@10 on the test window of ranking by the true affinities
 * (what knowing each member's tastes exactly would reach).
 */
function truthRecovery(lakehouse: string, target: RecommenderTarget, rec: Recommender, members: string[], split: Pick<Split, 'test' | 'itemIndex'>): { model: number; popularity: number; ndcg: number } {
  const kind = target === 'classes' ? 'class_type' : 'product';
  const wanted = new Set(members);
  const truth = readTruthCsv(lakehouse, 'member_affinities.csv', (r) => r.kind === kind && wanted.has(r.member_id));
  if (!truth) return { model: NaN, popularity: NaN, ndcg: NaN };
  const keyOf = (j: number) => (target === 'classes' ? rec.model.items[j].group : rec.model.items[j].id);
  const keys = [...new Set(rec.model.items.map((_, j) => keyOf(j)))].sort();
  const aff = new Map<string, Map<string, number>>();
  for (const r of truth) aff.set(r.member_id, (aff.get(r.member_id) ?? new Map()).set(r.item, Number(r.affinity)));
  const perKey = (scores: ArrayLike<number>) => keys.map((key) => Math.max(...rec.model.items.map((_, j) => (keyOf(j) === key ? scores[j] : -Infinity))));
  const popByKey = perKey(rec.model.popularity.global);
  const model: number[] = [];
  const pop: number[] = [];
  const relevant = new Map<string, Set<number>>();
  for (const r of split.test) relevant.set(r.member, (relevant.get(r.member) ?? new Set()).add(split.itemIndex.get(r.item)!));
  const ndcg: number[] = [];
  for (const m of members) {
    const a = aff.get(m);
    if (!a || !rec.knows(m)) continue;
    const t = keys.map((key) => a.get(key) ?? 0);
    model.push(spearman(perKey(rec.scores(m)), t));
    pop.push(spearman(popByKey, t));
    const rel = relevant.get(m);
    if (target === 'products' && rel) ndcg.push(ndcgAtK(top(rec.model.items.map((it) => a.get(it.id) ?? 0), RECOMMENDER_SHARED.k, new Set()), rel, RECOMMENDER_SHARED.k));
  }
  return { model: mean(model), popularity: mean(pop), ndcg: mean(ndcg) };
}

export const recommenderParams = (target: RecommenderTarget) => ({ ...RECOMMENDER_SHARED, ...RECOMMENDER_PARAMS[target] });

/** Interactions known at the lakehouse's cutoff (through the feature store), split in time: the last `testDays` days are the test window. */
export async function recommenderSplit(ctx: Pick<TrainContext, 'duckdb' | 'lakehouse' | 'timezone' | 'store'>, target: RecommenderTarget) {
  const { asOf } = await dataCutoff(ctx);
  const loaded = await loadInteractions(ctx, target, asOf, RECOMMENDER_SHARED.maxInteractions);
  const { catalog, homeClub } = loaded;
  const itemIndex = new Map(catalog.map((c, j) => [c.id, j]));
  const all = loaded.interactions.filter((r) => itemIndex.has(r.item));
  const last = all[all.length - 1].day;
  const cutoff = addDays(last, -RECOMMENDER_SHARED.testDays + 1);
  // the holdout model is trained as at the cutoff's start: on what had happened and was known by then
  const train = all.filter((r) => r.day < cutoff && knownBy(r, cutoff));
  if (train.length === 0) throw new InsufficientDataError(`${target}: all interactions fall in the ${RECOMMENDER_SHARED.testDays}-day test window; generate more days`);
  return { catalog, homeClub, itemIndex, all, last, cutoff, asOf, memberShare: loaded.memberShare, train, test: all.filter((r) => r.day >= cutoff) };
}
type Split = Awaited<ReturnType<typeof recommenderSplit>>;

/**
 * Scores a holdout artifact fitted on `split.train` on the test window: the model and every baseline,
 * the own-history baseline with the half-life that suited it best on validation.
 */
function evaluateOn(target: RecommenderTarget, split: Split, data: Indexed, als: Pick<AlsModel, 'factors' | 'userFactors' | 'itemFactors'>, tuned: Pick<Tuned, 'blend' | 'halfLifeDays'> & { baselineHalfLifeDays?: number }) {
  const sig = signals(target, split.train, split, split.cutoff, tuned);
  const rec = new Recommender(artifact(target, split.catalog, data, als, sig, { dataVersion: 'holdout', trainedThrough: addDays(split.cutoff, -1) }));
  const own = tuned.baselineHalfLifeDays ?? tuned.halfLifeDays;
  const repeat = own === tuned.halfLifeDays ? sig.repeat : repeatScores(split.train, split.itemIndex, split.cutoff, own);
  return { rec, metrics: evaluateRankings({ rec, test: split.test, itemIndex: split.itemIndex, homeClub: split.homeClub, repeat }, recommenderParams(target).k) };
}

/**
 * Time-split evaluation of fitted factors alone (ours or a peer's, no own-history blend): a holdout
 * artifact over the training window, scored on the test window against the baselines.
 */
export function evaluateFactors(target: RecommenderTarget, split: Split, data: Indexed, als: Pick<AlsModel, 'factors' | 'userFactors' | 'itemFactors'>) {
  return evaluateOn(target, split, data, als, FACTORS_ONLY);
}

/**
 * Gates: NDCG@10 no worse than the strongest baseline's beyond noise (two standard errors of the
 * paired per-member difference: a model that merely ties the best heuristic passes, one that loses
 * to it fails), true affinities recovered better than chance, and for classes the "try something
 * new" list above club popularity.
 */
export function recommenderGates(target: RecommenderTarget, m: RankingMetrics, recovery: number) {
  const best = strongestBaseline(m);
  const floor = best.ndcg - 2 * best.se;
  const gates = [
    gate('strongest baseline', m.ndcg_at_10 >= floor, `NDCG@10 ${m.ndcg_at_10.toFixed(4)} ≥ ${best.name.replace(/_/g, ' ')}'s ${best.ndcg.toFixed(4)} − 2 × ${best.se.toFixed(4)} (paired standard error; the best of popularity, club popularity, own history)`),
    gate('recovers affinities', !(recovery <= 0), `mean Spearman with true affinities ${recovery.toFixed(3)} > 0 (chance)`),
  ];
  if (target === 'classes') gates.push(gate('new classes beat club popularity', m.new_ndcg_at_10 > m.club_popularity_new_ndcg_at_10, `"try something new" NDCG@10 ${m.new_ndcg_at_10.toFixed(4)} > club popularity's ${m.club_popularity_new_ndcg_at_10.toFixed(4)}`));
  return gates;
}

function summary(m: RankingMetrics, recovery: ReturnType<typeof truthRecovery>): TrainedModel['summary'] {
  const best = strongestBaseline(m);
  const line = (metric: string, baseline: string, better: 'higher' | 'lower' = 'higher') => ({ metric: `${metric} vs ${baseline.replace(/_/g, ' ')}`, model: m[metric as keyof RankingMetrics], baseline: m[`${baseline}_${metric}` as keyof RankingMetrics], better });
  return [
    { metric: 'precision_at_10', model: m.precision_at_10, baseline: m.popularity_precision_at_10, truth: m.precision_at_10_ceiling, better: 'higher' },
    line('ndcg_at_10', 'popularity'),
    line('ndcg_at_10', 'club_popularity'),
    { ...line('ndcg_at_10', 'own_history'), truth: recovery.ndcg },
    { metric: `ndcg_at_10 / strongest (${best.name.replace(/_/g, ' ')})`, model: m.ndcg_at_10 / best.ndcg, baseline: 1, better: 'higher' },
    { metric: 'new ndcg_at_10 vs club popularity', model: m.new_ndcg_at_10, baseline: m.club_popularity_new_ndcg_at_10, better: 'higher' },
    { metric: 'new_share_at_10', model: m.new_share_at_10, better: 'higher' },
    { metric: 'truth_spearman', model: recovery.model, baseline: recovery.popularity, truth: 1, better: 'higher' },
    { metric: 'cold_start_precision_at_10', model: m.cold_start_precision_at_10, baseline: m.cold_start_global_precision_at_10, better: 'higher' },
  ];
}

/**
 * Implicit-feedback ALS blended with the member's own decayed history, for weekly class slots or
 * products; time-split evaluated against global popularity, home-club popularity and own history.
 */
export function recommenderTrainer(target: RecommenderTarget) {
  return async function trainRecommender(ctx: TrainContext): Promise<TrainedModel> {
    const P = recommenderParams(target);
    const split = await recommenderSplit(ctx, target);
    const { catalog, itemIndex, all, last, cutoff, train, test } = split;
    const dataVersion = createHash('sha256').update(JSON.stringify([target, all.length, all[0].day, last, all.reduce((s, r) => s + r.weight, 0)])).digest('hex').slice(0, 16);
    const opts: AlsOptions = { ...P, seed: ctx.seed };
    ctx.logger.info({ target, interactions: all.length, train: train.length, test: test.length, items: catalog.length, cutoff }, 'recommender: fitting');

    const tuned = tuneBlend({ ...split, testDays: P.testDays, popularityDays: P.popularityDays, k: P.k, matrix: (rows) => buildMatrix(rows, itemIndex, P.scaling) }, opts);
    const { blend, validation } = tuned;
    const trainData = buildMatrix(train, itemIndex, P.scaling);
    const holdoutAls = fitAls(trainData.matrix, opts);
    const { rec: holdout, metrics: m } = evaluateOn(target, split, trainData, holdoutAls, tuned);
    const recovery = truthRecovery(ctx.lakehouse, target, holdout, trainData.members, split);
    const best = strongestBaseline(m);
    const metrics = { ...m, blend_factor: blend.factor, blend_repeat: blend.repeat, blend_prior: blend.prior, half_life_days: tuned.halfLifeDays, own_history_half_life_days: tuned.baselineHalfLifeDays, truth_spearman: recovery.model, popularity_truth_spearman: recovery.popularity, truth_ndcg_at_10: recovery.ndcg, ndcg_lift_over_strongest_baseline: m.ndcg_at_10 / best.ndcg, precision_lift_over_popularity: m.precision_at_10 / m.popularity_precision_at_10 };

    const fullData = buildMatrix(all, itemIndex, P.scaling);
    const t0 = Date.now();
    const als = fitAls(fullData.matrix, opts, (i) => ctx.logger.debug({ target, iteration: i + 1 }, 'als sweep'));
    const fitSeconds = (Date.now() - t0) / 1000;
    const used = trainedOn(ctx.store, RECOMMENDER_SERVICES[target]);
    const model = { ...artifact(target, catalog, fullData, als, signals(target, all, split, addDays(last, 1), tuned), { dataVersion, trainedThrough: last }), ...used };
    const name = `recommender-${target}`;
    return {
      name,
      artifact: model,
      params: { model: 'implicit_als_cg + own history', ...P, blend: JSON.stringify(blend), half_life_days: tuned.halfLifeDays, half_lives: HALF_LIVES.join(','), blend_candidates: BLEND_GRID.length, items: catalog.length, members: fullData.members.length, member_share: split.memberShare, test_from: cutoff },
      metrics: { ...metrics, fit_seconds: fitSeconds },
      curves: { train_loss: als.losses, holdout_train_loss: holdoutAls.losses, validation_ndcg_by_candidate: validation },
      tags: { ...trainedOnTags(used), 'fitlake.as_of': split.asOf.toISOString(), 'fitlake.train_rows': String(all.length), 'fitlake.strongest_baseline': best.name },
      files: [{ path: `evaluation/${name}.json`, content: JSON.stringify({ metrics, cutoff, k: P.k, halfLives: HALF_LIVES, blendGrid: BLEND_GRID, validation }, null, 1) }],
      primary: { metric: 'ndcg_at_10', better: 'higher' },
      gates: recommenderGates(target, m, recovery.model),
      summary: summary(m, recovery),
    };
  };
}
