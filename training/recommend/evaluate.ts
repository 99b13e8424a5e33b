import { mean, ndcgAtK, precisionAtK, recallAtK } from '../metrics/ranking';
import type { Interaction } from './interactions';
import { top, type Recommender } from './model';
import { ownHistory, type MemberScores } from './signals';

export interface EvalInput {
  rec: Recommender;
  test: Interaction[];
  itemIndex: Map<string, number>;
  homeClub: Map<string, string>;
  /** The members' own decayed history at the split (the own-history baseline). */
  repeat: MemberScores;
}

/** The rankers every warm member is scored with: the model and the three baselines. */
export const RANKERS = ['model', 'popularity', 'club_popularity', 'own_history'] as const;
export type Ranker = (typeof RANKERS)[number];
type Scores = [precision: number, recall: number, ndcg: number];
const NONE: ReadonlySet<number> = new Set();
type Measure = 'precision_at_10' | 'recall_at_10' | 'ndcg_at_10' | 'coverage';
/** The model's measures unprefixed, each baseline's prefixed by its name (`club_popularity_ndcg_at_10`). */
type PerRanker = Record<Measure | `${Exclude<Ranker, 'model'>}_${Measure}`, number>;

function score(ranked: number[], rel: ReadonlySet<number>, k: number): Scores {
  return [precisionAtK(ranked, rel, k), recallAtK(ranked, rel, k), ndcgAtK(ranked, rel, k)];
}

/** Each member's relevant items in the test window (interacted with). */
function relevantItems({ test, itemIndex }: EvalInput): [string, Set<number>][] {
  const relevant = new Map<string, Set<number>>();
  for (const r of test) {
    relevant.set(r.member, (relevant.get(r.member) ?? new Set()).add(itemIndex.get(r.item)!));
  }
  return [...relevant].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * Ranking metrics on the test window. Members seen in training (warm): the model's list and three
 * baselines (global popularity, popularity at the member's home club, the member's own decayed
 * history filled up by club popularity), and the "try something new" list (items the member never
 * had, against club popularity of those items) with the share of new items in the model's list.
 * Members unseen in training (cold start): club popularity against global popularity.
 */
export function evaluateRankings(input: EvalInput, k: number) {
  const { rec, homeClub, repeat } = input;
  const pop = rec.model.popularity;
  const n = rec.model.items.length;
  const warm = new Map<Ranker, Scores[]>(RANKERS.map((r) => [r, []]));
  const lists = new Map<Ranker, Set<number>>(RANKERS.map((r) => [r, new Set()]));
  const fresh = { model: [] as Scores[], club: [] as Scores[], share: [] as number[] };
  const cold = { segment: [] as number[], global: [] as number[] };
  const ceiling: number[] = [];
  for (const [member, rel] of relevantItems(input)) {
    const club = pop.byClub[homeClub.get(member) ?? ''] ?? pop.global;
    if (!rec.knows(member)) {
      cold.segment.push(precisionAtK(top(club, k, NONE), rel, k));
      cold.global.push(precisionAtK(top(pop.global, k, NONE), rel, k));
      continue;
    }
    const own = ownHistory(repeat.get(member), club);
    const scores = rec.scores(member);
    const ranked: Record<Ranker, number[]> = { model: top(scores, k, NONE), popularity: top(pop.global, k, NONE), club_popularity: top(club, k, NONE), own_history: top(own, k, NONE) };
    ceiling.push(Math.min(rel.size, k) / k);
    for (const r of RANKERS) {
      warm.get(r)!.push(score(ranked[r], rel, k));
      ranked[r].forEach((j) => lists.get(r)!.add(j));
    }
    const owned = rec.history(member);
    fresh.share.push(ranked.model.filter((j) => !owned.has(j)).length / Math.max(ranked.model.length, 1));
    const relNew = new Set([...rel].filter((j) => !owned.has(j)));
    if (relNew.size === 0) continue;
    fresh.model.push(score(top(scores, k, owned), relNew, k));
    fresh.club.push(score(top(club, k, owned), relNew, k));
  }
  const col = (xs: Scores[], i: number) => mean(xs.map((x) => x[i]));
  const model = warm.get('model')!;
  /** Standard error of the per-member NDCG@10 difference between the model and baseline `r` (paired). */
  const diffSe = (r: Ranker) => {
    const d = warm.get(r)!.map((x, i) => model[i][2] - x[2]).filter(Number.isFinite);
    const mu = mean(d);
    return Math.sqrt(d.reduce((s, v) => s + (v - mu) ** 2, 0) / Math.max(d.length - 1, 1) / Math.max(d.length, 1));
  };
  const ses = Object.fromEntries(RANKERS.filter((r) => r !== 'model').map((r) => [`${r}_ndcg_diff_se`, diffSe(r)])) as Record<`${Exclude<Ranker, 'model'>}_ndcg_diff_se`, number>;
  const per = Object.fromEntries(
    RANKERS.flatMap((r) => {
      const prefix = r === 'model' ? '' : `${r}_`;
      const xs = warm.get(r)!;
      return [[`${prefix}precision_at_10`, col(xs, 0)], [`${prefix}recall_at_10`, col(xs, 1)], [`${prefix}ndcg_at_10`, col(xs, 2)], [`${prefix}coverage`, lists.get(r)!.size / n]];
    }),
  ) as PerRanker;
  return {
    ...per,
    ...ses,
    precision_at_10_ceiling: mean(ceiling),
    new_precision_at_10: col(fresh.model, 0), new_ndcg_at_10: col(fresh.model, 2), club_popularity_new_precision_at_10: col(fresh.club, 0), club_popularity_new_ndcg_at_10: col(fresh.club, 2),
    new_share_at_10: mean(fresh.share), new_eval_members: fresh.model.length,
    cold_start_precision_at_10: mean(cold.segment), cold_start_global_precision_at_10: mean(cold.global), eval_members: warm.get('model')!.length, cold_start_members: cold.segment.length,
  };
}
export type RankingMetrics = ReturnType<typeof evaluateRankings>;

/** The strongest baseline by NDCG@10, with the standard error of the model's paired difference from it. */
export function strongestBaseline(m: RankingMetrics): { name: Exclude<Ranker, 'model'>; ndcg: number; se: number } {
  return RANKERS.filter((r): r is Exclude<Ranker, 'model'> => r !== 'model')
    .map((name) => ({ name, ndcg: m[`${name}_ndcg_at_10`], se: m[`${name}_ndcg_diff_se`] }))
    .reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
}
