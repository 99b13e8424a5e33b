import { createHash } from 'node:crypto';
import { addDays } from '../../core/dates';
import { InsufficientDataError } from '../../core/errors';
import { readLake } from '../lake';
import { mean, ndcgAtK, precisionAtK, recallAtK, spearman } from '../metrics/ranking';
import { fitAls, type AlsModel, type AlsOptions, type Csr } from '../models/als';
import { gate, type TrainContext, type TrainedModel } from '../trained';
import { readTruthCsv } from '../truth';
import { loadInteractions, type Catalog, type Interaction, type RecommenderTarget } from './interactions';
import { encodeF32, Recommender, top, type RecommenderModel } from './model';

/** `maxInteractions`: above it, a deterministic sample of members is trained on (memory stays bounded). */
export const RECOMMENDER_SHARED = { iterations: 15, cgSteps: 3, testDays: 56, popularityDays: 90, k: 10, maxInteractions: 1_500_000 };
/** Per-target ALS settings, chosen on the small dataset's time split (README: Training). */
export const RECOMMENDER_PARAMS: Record<RecommenderTarget, { scaling: 'log' | 'linear'; factors: number; regularization: number; alpha: number }> = {
  classes: { scaling: 'log', factors: 16, regularization: 1, alpha: 10 },
  products: { scaling: 'linear', factors: 16, regularization: 10, alpha: 40 },
};
/** Products bought this recently are not recommended again (a tub of whey lasts a few weeks). */
export const EXCLUDE_DAYS: Record<RecommenderTarget, number> = { classes: 0, products: 14 };


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

/** Popularity (distinct members in the `days` before `until`) overall and per home club. */
function popularity(rows: Interaction[], itemIndex: Map<string, number>, homeClub: Map<string, string>, until: string, days: number) {
  const from = addDays(until, -days);
  const sets = new Map<string, Set<string>[]>();
  const bump = (key: string, j: number, m: string) => {
    const s = sets.get(key) ?? Array.from({ length: itemIndex.size }, () => new Set<string>());
    s[j].add(m);
    sets.set(key, s);
  };
  for (const r of rows) {
    if (r.day < from || r.day >= until) continue;
    const j = itemIndex.get(r.item)!;
    bump('*', j, r.member);
    const club = homeClub.get(r.member);
    if (club) bump(club, j, r.member);
  }
  const counts = (key: string) => (sets.get(key) ?? []).map((s) => s.size).concat(sets.has(key) ? [] : new Array<number>(itemIndex.size).fill(0));
  return { global: counts('*'), byClub: Object.fromEntries([...sets.keys()].filter((k) => k !== '*').sort().map((k) => [k, counts(k)])) };
}

function exclusions(rows: Interaction[], itemIndex: Map<string, number>, until: string, days: number): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  if (days <= 0) return out;
  const from = addDays(until, -days);
  for (const r of rows) if (r.day >= from && r.day < until) out.set(r.member, (out.get(r.member) ?? new Set()).add(itemIndex.get(r.item)!));
  return out;
}

function history(m: Csr, u: number): number[] {
  const pairs: [number, number][] = [];
  for (let e = m.indptr[u]; e < m.indptr[u + 1]; e++) pairs.push([m.indices[e], m.values[e]]);
  return pairs.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 20).map((p) => p[0]);
}

/** Builds the self-contained artifact from a fitted matrix factorization. */
function artifact(target: RecommenderTarget, catalog: Catalog[], data: Indexed, als: Pick<AlsModel, 'factors' | 'userFactors' | 'itemFactors'>, pop: RecommenderModel['popularity'], excl: Map<string, Set<number>>, meta: { dataVersion: string; trainedThrough: string }): RecommenderModel {
  return {
    kind: 'recommender', formatVersion: 1, target, items: catalog.map((c) => ({ id: c.id, label: c.label, group: c.group })), members: data.members, factors: als.factors,
    userFactors: encodeF32(als.userFactors), itemFactors: encodeF32(als.itemFactors), history: data.members.map((_, u) => history(data.matrix, u)),
    exclude: data.members.map((m) => [...(excl.get(m) ?? [])].sort((a, b) => a - b)), excludeDays: EXCLUDE_DAYS[target], popularity: pop, ...meta,
  };
}

interface EvalInput {
  rec: Recommender;
  test: Interaction[];
  itemIndex: Map<string, number>;
  excl: Map<string, Set<number>>;
  homeClub: Map<string, string>;
}

/** Ranking metrics on the test window for members seen in training (warm) and unseen (cold start). */
function evaluate({ rec, test, itemIndex, excl, homeClub }: EvalInput, k: number) {
  const relevant = new Map<string, Set<number>>();
  for (const r of test) {
    const j = itemIndex.get(r.item)!;
    if (excl.get(r.member)?.has(j)) continue;
    relevant.set(r.member, (relevant.get(r.member) ?? new Set()).add(j));
  }
  const warm = { model: [] as number[][], pop: [] as number[][], lists: new Set<number>(), popLists: new Set<number>() };
  const cold = { segment: [] as number[], global: [] as number[] };
  const ceiling: number[] = [];
  const pop = rec.model.popularity;
  for (const [member, rel] of [...relevant].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const ex = excl.get(member) ?? new Set<number>();
    if (rec.knows(member)) {
      const ranked = top(rec.scores(member), k, ex);
      const popRanked = top(pop.global, k, ex);
      ceiling.push(Math.min(rel.size, k) / k);
      ranked.forEach((j) => warm.lists.add(j));
      popRanked.forEach((j) => warm.popLists.add(j));
      warm.model.push([precisionAtK(ranked, rel, k), recallAtK(ranked, rel, k), ndcgAtK(ranked, rel, k)]);
      warm.pop.push([precisionAtK(popRanked, rel, k), recallAtK(popRanked, rel, k), ndcgAtK(popRanked, rel, k)]);
    } else {
      const club = pop.byClub[homeClub.get(member) ?? ''] ?? pop.global;
      cold.segment.push(precisionAtK(top(club, k, ex), rel, k));
      cold.global.push(precisionAtK(top(pop.global, k, ex), rel, k));
    }
  }
  const col = (xs: number[][], i: number) => mean(xs.map((x) => x[i]));
  const n = rec.model.items.length;
  return {
    precision_at_10: col(warm.model, 0), precision_at_10_ceiling: mean(ceiling), recall_at_10: col(warm.model, 1), ndcg_at_10: col(warm.model, 2), coverage: warm.lists.size / n,
    popularity_precision_at_10: col(warm.pop, 0), popularity_recall_at_10: col(warm.pop, 1), popularity_ndcg_at_10: col(warm.pop, 2), popularity_coverage: warm.popLists.size / n,
    cold_start_precision_at_10: mean(cold.segment), cold_start_global_precision_at_10: mean(cold.global), eval_members: warm.model.length, cold_start_members: cold.segment.length,
  };
}

/** Mean per-member Spearman correlation between model scores (max per truth key) and the generator's true affinities. */
function truthRecovery(lakehouse: string, target: RecommenderTarget, rec: Recommender, members: string[]): { model: number; popularity: number } {
  const kind = target === 'classes' ? 'class_type' : 'product';
  const wanted = new Set(members);
  const truth = readTruthCsv(lakehouse, 'member_affinities.csv', (r) => r.kind === kind && wanted.has(r.member_id));
  if (!truth) return { model: NaN, popularity: NaN };
  const keyOf = (j: number) => (target === 'classes' ? rec.model.items[j].group : rec.model.items[j].id);
  const keys = [...new Set(rec.model.items.map((_, j) => keyOf(j)))].sort();
  const aff = new Map<string, Map<string, number>>();
  for (const r of truth) aff.set(r.member_id, (aff.get(r.member_id) ?? new Map()).set(r.item, Number(r.affinity)));
  const perKey = (scores: ArrayLike<number>) => keys.map((key) => Math.max(...rec.model.items.map((_, j) => (keyOf(j) === key ? scores[j] : -Infinity))));
  const popByKey = perKey(rec.model.popularity.global);
  const model: number[] = [];
  const pop: number[] = [];
  for (const m of members) {
    const a = aff.get(m);
    if (!a || !rec.knows(m)) continue;
    const t = keys.map((key) => a.get(key) ?? 0);
    model.push(spearman(perKey(rec.scores(m)), t));
    pop.push(spearman(popByKey, t));
  }
  return { model: mean(model), popularity: mean(pop) };
}

/**
 * Precision@10 at least 1.5 × popularity's — unless the ceiling (every relevant item in the top 10) is
 * itself below 1.5 × popularity, as with a 30-SKU shop where members buy ~2 items per window; then the
 * model must beat popularity on NDCG@10 (the order within the list) instead.
 */
function beatsPopularity(m: ReturnType<typeof evaluate>) {
  const lift = m.precision_at_10 / m.popularity_precision_at_10;
  if (m.precision_at_10_ceiling >= 1.5 * m.popularity_precision_at_10 || lift >= 1.5) {
    return gate('beats popularity', lift >= 1.5, `precision@10 ${m.precision_at_10.toFixed(4)} ≥ 1.5 × popularity's ${m.popularity_precision_at_10.toFixed(4)}`);
  }
  return gate('beats popularity', m.ndcg_at_10 > m.popularity_ndcg_at_10, `precision@10 ceiling ${m.precision_at_10_ceiling.toFixed(4)} < 1.5 × popularity's ${m.popularity_precision_at_10.toFixed(4)}, so NDCG@10 ${m.ndcg_at_10.toFixed(4)} > popularity's ${m.popularity_ndcg_at_10.toFixed(4)}`);
}

export const recommenderParams = (target: RecommenderTarget) => ({ ...RECOMMENDER_SHARED, ...RECOMMENDER_PARAMS[target] });

/** Interactions from silver, split in time: the last `testDays` days are the test window. */
export async function recommenderSplit(ctx: Pick<TrainContext, 'duckdb' | 'lakehouse' | 'timezone'>, target: RecommenderTarget) {
  const loaded = await readLake(ctx, (lake) => loadInteractions(lake, target, ctx.timezone, RECOMMENDER_SHARED.maxInteractions));
  const { catalog, homeClub } = loaded;
  const itemIndex = new Map(catalog.map((c, j) => [c.id, j]));
  const all = loaded.interactions.filter((r) => itemIndex.has(r.item));
  const last = all[all.length - 1].day;
  const cutoff = addDays(last, -RECOMMENDER_SHARED.testDays + 1);
  const train = all.filter((r) => r.day < cutoff);
  if (train.length === 0) throw new InsufficientDataError(`${target}: all interactions fall in the ${RECOMMENDER_SHARED.testDays}-day test window; generate more days`);
  return { catalog, homeClub, itemIndex, all, last, cutoff, memberShare: loaded.memberShare, train, test: all.filter((r) => r.day >= cutoff) };
}

/**
 * Time-split evaluation of fitted factors (ours or a peer's): a holdout artifact over the training
 * window, scored on the test window against popularity with the same exclusions.
 */
export function evaluateFactors(target: RecommenderTarget, split: Awaited<ReturnType<typeof recommenderSplit>>, data: Indexed, als: Pick<AlsModel, 'factors' | 'userFactors' | 'itemFactors'>) {
  const P = recommenderParams(target);
  const excl = exclusions(split.train, split.itemIndex, split.cutoff, EXCLUDE_DAYS[target]);
  const pop = popularity(split.train, split.itemIndex, split.homeClub, split.cutoff, P.popularityDays);
  const rec = new Recommender(artifact(target, split.catalog, data, als, pop, excl, { dataVersion: 'holdout', trainedThrough: addDays(split.cutoff, -1) }));
  return { rec, metrics: evaluate({ rec, test: split.test, itemIndex: split.itemIndex, excl, homeClub: split.homeClub }, P.k) };
}

/** Implicit-feedback ALS recommender for weekly class slots or products, time-split evaluated against popularity. */
export function recommenderTrainer(target: RecommenderTarget) {
  return async function trainRecommender(ctx: TrainContext): Promise<TrainedModel> {
    const P = recommenderParams(target);
    const split = await recommenderSplit(ctx, target);
    const { catalog, homeClub, itemIndex, all, last, cutoff, train, test } = split;
    const dataVersion = createHash('sha256').update(JSON.stringify([target, all.length, all[0].day, last, all.reduce((s, r) => s + r.weight, 0)])).digest('hex').slice(0, 16);
    const opts: AlsOptions = { ...P, seed: ctx.seed };
    ctx.logger.info({ target, interactions: all.length, train: train.length, test: test.length, items: catalog.length, cutoff }, 'recommender: fitting');

    const trainData = buildMatrix(train, itemIndex, P.scaling);
    const holdoutAls = fitAls(trainData.matrix, opts);
    const { rec: holdout, metrics: m } = evaluateFactors(target, split, trainData, holdoutAls);
    const recovery = truthRecovery(ctx.lakehouse, target, holdout, trainData.members);
    const metrics = { ...m, truth_spearman: recovery.model, popularity_truth_spearman: recovery.popularity, precision_lift_over_popularity: m.precision_at_10 / m.popularity_precision_at_10 };

    const fullData = buildMatrix(all, itemIndex, P.scaling);
    const t0 = Date.now();
    const als = fitAls(fullData.matrix, opts, (i) => ctx.logger.debug({ target, iteration: i + 1 }, 'als sweep'));
    const fitSeconds = (Date.now() - t0) / 1000;
    const end = addDays(last, 1);
    const model = artifact(target, catalog, fullData, als, popularity(all, itemIndex, homeClub, end, P.popularityDays), exclusions(all, itemIndex, end, EXCLUDE_DAYS[target]), { dataVersion, trainedThrough: last });
    const name = `recommender-${target}`;
    return {
      name,
      artifact: model,
      params: { model: 'implicit_als_cg', ...P, exclude_days: EXCLUDE_DAYS[target], items: catalog.length, members: fullData.members.length, member_share: split.memberShare, test_from: cutoff },
      metrics: { ...metrics, fit_seconds: fitSeconds },
      curves: { train_loss: als.losses, holdout_train_loss: holdoutAls.losses },
      tags: { 'fitlake.source': target === 'classes' ? 'silver.class_checkins × dim_class_session' : 'silver.retail_sales', 'fitlake.train_rows': String(all.length) },
      files: [{ path: `evaluation/${name}.json`, content: JSON.stringify({ metrics, cutoff, k: P.k }, null, 1) }],
      primary: { metric: 'ndcg_at_10', better: 'higher' },
      gates: [
        beatsPopularity(m),
        gate('recovers affinities', !(recovery.model <= 0), `mean Spearman with true affinities ${recovery.model.toFixed(3)} > 0 (chance)`),
      ],
      summary: [
        { metric: 'precision_at_10', model: m.precision_at_10, baseline: m.popularity_precision_at_10, truth: m.precision_at_10_ceiling, better: 'higher' },
        { metric: 'recall_at_10', model: m.recall_at_10, baseline: m.popularity_recall_at_10, better: 'higher' },
        { metric: 'ndcg_at_10', model: m.ndcg_at_10, baseline: m.popularity_ndcg_at_10, better: 'higher' },
        { metric: 'coverage', model: m.coverage, baseline: m.popularity_coverage, better: 'higher' },
        { metric: 'truth_spearman', model: recovery.model, baseline: recovery.popularity, truth: 1, better: 'higher' },
        { metric: 'cold_start_precision_at_10', model: m.cold_start_precision_at_10, baseline: m.cold_start_global_precision_at_10, better: 'higher' },
      ],
    };
  };
}
