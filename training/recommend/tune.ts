import { addDays } from '../../core/dates';
import { mean, ndcgAtK } from '../metrics/ranking';
import { fitAls, type AlsOptions } from '../models/als';
import { knownBy, type Interaction } from './interactions';
import { blendScores, top, type Blend } from './model';
import { ownHistory, popularity, repeatScores } from './signals';

/** At most this many validation members are scored (an even spread of them): memory and time stay bounded. */
export const TUNE_MEMBERS = 3000;
/** Half-lives (days) of the own-history signal tried on the validation window. */
export const HALF_LIVES = [60, 365];
/** Blends tried on the validation window: factor scores alone, history alone, and mixes (see `BlendSchema`). */
export const BLEND_GRID: Blend[] = [
  { factor: 1, repeat: 0, prior: 0 },
  ...[0, 0.3, 1].flatMap((prior) => [{ factor: 0, repeat: 1, prior }, ...[0.05, 0.1, 0.2, 0.5, 1, 2, 4, 10, 30].map((repeat) => ({ factor: 1, repeat, prior }))]),
];

export interface TuneInput {
  train: Interaction[];
  cutoff: string;
  testDays: number;
  itemIndex: Map<string, number>;
  homeClub: Map<string, string>;
  popularityDays: number;
  k: number;
  /** Builds the member × item matrix the factors are fitted on (members sorted). */
  matrix: (rows: Interaction[]) => { members: string[]; matrix: Parameters<typeof fitAls>[0] };
}

export interface Tuned {
  blend: Blend;
  halfLifeDays: number;
  /** The half-life that suits the own-history baseline best (it is given its best chance too). */
  baselineHalfLifeDays: number;
  /** Validation NDCG@10 of every (half-life, blend) tried, in grid order. */
  validation: number[];
}

/**
 * Chooses the blend and the history half-life on a validation window: factors fitted on the training
 * window minus its last `testDays`, every (half-life, blend) scored by NDCG@10 on those days. The
 * test window is never looked at. Ties keep the earlier (simpler) choice.
 */
export function tuneBlend(input: TuneInput, opts: AlsOptions): Tuned {
  const valCut = addDays(input.cutoff, -input.testDays);
  const inner = input.train.filter((r) => r.day < valCut && knownBy(r, valCut));
  const fallback: Tuned = { blend: BLEND_GRID[0], halfLifeDays: HALF_LIVES[0], baselineHalfLifeDays: HALF_LIVES[0], validation: [] };
  if (inner.length === 0) return fallback;
  const data = input.matrix(inner);
  const als = fitAls(data.matrix, opts);
  const n = input.itemIndex.size;
  const rel = new Map<string, Set<number>>();
  for (const r of input.train) if (r.day >= valCut) rel.set(r.member, (rel.get(r.member) ?? new Set()).add(input.itemIndex.get(r.item)!));
  const pop = popularity(inner, input.itemIndex, input.homeClub, valCut, input.popularityDays);
  const total = pop.global.reduce((a, b) => a + b, 0) || 1;
  const share = pop.global.map((v) => v / total);
  const known = data.members.flatMap((m, u) => (rel.has(m) ? [{ m, u }] : []));
  const every = Math.max(1, Math.ceil(known.length / TUNE_MEMBERS));
  const members = known.filter((_, i) => i % every === 0);
  const factor = members.map(({ u }) => {
    const f = new Float64Array(n);
    for (let j = 0; j < n; j++) for (let a = 0; a < als.factors; a++) f[j] += als.userFactors[u * als.factors + a] * als.itemFactors[j * als.factors + a];
    return f;
  });
  const none = new Set<number>();
  const ndcg = (scores: (i: number) => ArrayLike<number>) => mean(members.map(({ m }, i) => ndcgAtK(top(scores(i), input.k, none), rel.get(m)!, input.k)));
  const validation: number[] = [];
  let best = { ...fallback, score: -Infinity };
  let baseline = { halfLifeDays: HALF_LIVES[0], score: -Infinity };
  for (const halfLifeDays of HALF_LIVES) {
    const repeat = repeatScores(inner, input.itemIndex, valCut, halfLifeDays);
    const pairs = members.map(({ m }) => [...(repeat.get(m) ?? new Map<number, number>())]);
    const own = ndcg((i) => ownHistory(pairs[i], pop.byClub[input.homeClub.get(members[i].m) ?? ''] ?? pop.global));
    if (own > baseline.score) baseline = { halfLifeDays, score: own };
    const scratch = new Float64Array(n);
    for (const blend of BLEND_GRID) {
      const v = ndcg((i) => blendScores(factor[i], pairs[i], share, blend, scratch));
      validation.push(v);
      if (v > best.score) best = { blend, halfLifeDays, baselineHalfLifeDays: 0, validation: [], score: v };
    }
  }
  return { blend: best.blend, halfLifeDays: best.halfLifeDays, baselineHalfLifeDays: baseline.halfLifeDays, validation };
}
