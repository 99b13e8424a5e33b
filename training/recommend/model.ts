import { z } from 'zod';
import { TrainedOnFields } from '../features_used';

/**
 * score(j) = factor × factor score(j) + repeat × log(1 + r(j) + prior × R × share(j)): r the member's
 * decayed history of j, R its sum over items, share(j) the item's share of popularity — an
 * empirical-Bayes estimate of how much the member wants j, shrunk towards what everyone buys.
 */
export const BlendSchema = z.object({ factor: z.number().min(0), repeat: z.number().min(0), prior: z.number().min(0) }).strict();
export type Blend = z.infer<typeof BlendSchema>;

export const RecommenderModelSchema = z
  .object({
    kind: z.literal('recommender'),
    formatVersion: z.literal(1),
    target: z.enum(['classes', 'products']),
    items: z.array(z.object({ id: z.string(), label: z.string(), group: z.string() }).strict()),
    members: z.array(z.string()),
    factors: z.number().int().positive(),
    /** Float32 little-endian, row-major, base64: members × factors and items × factors. */
    userFactors: z.string(),
    itemFactors: z.string(),
    /** Per member (same order as `members`): item indexes interacted with, most frequent first (at most 20). */
    history: z.array(z.array(z.number().int())),
    /** Per member: item indexes never to recommend as of training (interacted with in the last `excludeDays`; none when 0). */
    exclude: z.array(z.array(z.number().int())),
    excludeDays: z.number().int().min(0),
    /**
     * Per member: the member's own history as `[item, score]` pairs, score = interactions decayed with a
     * half-life of `repeatHalfLifeDays` as of `trainedThrough` (what "buy again" / "book again" ranks by).
     */
    repeat: z.array(z.array(z.tuple([z.number().int(), z.number()]))).optional(),
    repeatHalfLifeDays: z.number().positive().optional(),
    /** How the scores combine (chosen on a validation window); absent: factor scores alone. */
    blend: BlendSchema.optional(),
    /** Cold start: item popularity (distinct members, last 90 days) overall and by the member's home club. */
    popularity: z.object({ global: z.array(z.number()), byClub: z.record(z.string(), z.array(z.number())) }).strict(),
    dataVersion: z.string(),
    trainedThrough: z.string(),
    ...TrainedOnFields,
  })
  .strict();
export type RecommenderModel = z.infer<typeof RecommenderModelSchema>;

export const encodeF32 = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
export function decodeF32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  const out = new Float32Array(b.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}

/** Which list: everything ranked together, only items the member had before, or only items new to them. */
export type RecommendList = 'all' | 'again' | 'new';

export interface Recommendation {
  item: string;
  label: string;
  score: number;
  reason: string;
}

/** A loaded recommender, decoded once: index lookups and the factor matrices as typed arrays. */
export class Recommender {
  private readonly memberIndex: Map<string, number>;
  private readonly U: Float32Array;
  private readonly V: Float32Array;
  /** Per member: the items of their history (repeat pairs, else the history list). */
  private readonly owned: Set<number>[];
  /** Each item's share of overall popularity (the prior of the blend). */
  private readonly share: Float64Array;

  constructor(readonly model: RecommenderModel) {
    this.memberIndex = new Map(model.members.map((m, i) => [m, i]));
    this.U = decodeF32(model.userFactors);
    this.V = decodeF32(model.itemFactors);
    this.owned = model.members.map((_, u) => new Set(model.repeat ? model.repeat[u].map((p) => p[0]) : model.history[u]));
    const total = model.popularity.global.reduce((a, b) => a + b, 0);
    this.share = Float64Array.from(model.popularity.global, (v) => (total > 0 ? v / total : 0));
  }

  knows(member: string): boolean {
    return this.memberIndex.has(member);
  }

  /** Factor scores of every item for a known member (dot products), zeros for an unknown one. */
  factorScores(member: string): Float64Array {
    const u = this.memberIndex.get(member);
    const k = this.model.factors;
    const out = new Float64Array(this.model.items.length);
    if (u === undefined) return out;
    for (let j = 0; j < out.length; j++) {
      let s = 0;
      for (let a = 0; a < k; a++) s += this.U[u * k + a] * this.V[j * k + a];
      out[j] = s;
    }
    return out;
  }

  /** The model's scores for a known member (see `BlendSchema`); factor scores alone without a blend. */
  scores(member: string): Float64Array {
    const f = this.factorScores(member);
    const u = this.memberIndex.get(member);
    const b = this.model.blend;
    if (u === undefined || !b || !this.model.repeat) return f;
    return blendScores(f, this.model.repeat[u], this.share, b);
  }

  /** Items of the member's own history (none for an unknown member). */
  history(member: string): ReadonlySet<number> {
    const u = this.memberIndex.get(member);
    return u === undefined ? new Set() : this.owned[u];
  }

  private similarHistoryItem(u: number, j: number): number | null {
    const k = this.model.factors;
    let best: number | null = null;
    let bestSim = -Infinity;
    for (const h of this.model.history[u]) {
      if (h === j) return h;
      let dot = 0;
      let nh = 0;
      let nj = 0;
      for (let a = 0; a < k; a++) {
        dot += this.V[h * k + a] * this.V[j * k + a];
        nh += this.V[h * k + a] ** 2;
        nj += this.V[j * k + a] ** 2;
      }
      const sim = dot / Math.sqrt(nh * nj || 1);
      if (sim > bestSim) [best, bestSim] = [h, sim];
    }
    return best;
  }

  /**
   * Top-k items for a member from `list`: `all` (the model's scores), `again` (only items of the
   * member's history) or `new` (only items new to the member, by factor score). Known members: their
   * exclusions left out, the most similar item of their history as the reason. Unknown members (cold
   * start): popularity at `homeClub`, else overall. Items `skip` names (e.g. the class the member just
   * checked into) are left out too.
   */
  recommend(member: string, k: number, homeClub?: string | null, skip?: (itemId: string) => boolean, list: RecommendList = 'all'): { items: Recommendation[]; fallback: boolean } {
    const u = this.memberIndex.get(member);
    const skipped = skip ? this.model.items.flatMap((it, j) => (skip(it.id) ? [j] : [])) : [];
    const verb = this.model.target === 'classes' ? 'you attended' : 'you bought';
    if (u === undefined) {
      if (list === 'again') return { items: [], fallback: true };
      const club = homeClub ? this.model.popularity.byClub[homeClub] : undefined;
      const scores = club ?? this.model.popularity.global;
      return { items: top(scores, k, new Set(skipped)).map((j) => this.item(j, scores[j], club ? `popular with members of ${homeClub}` : 'popular with members')), fallback: true };
    }
    const scores = this.scores(member);
    const left = new Set([...this.model.exclude[u], ...skipped]);
    const owned = this.owned[u];
    if (list !== 'all') for (let j = 0; j < scores.length; j++) if (owned.has(j) === (list === 'new')) left.add(j);
    return {
      items: top(scores, k, left).map((j) => {
        const h = this.similarHistoryItem(u, j);
        return this.item(j, scores[j], h === j ? `${verb} this before` : h === null ? 'members like you chose it' : `because ${verb} ${this.model.items[h].label}`);
      }),
      fallback: false,
    };
  }

  private item(j: number, score: number, reason: string): Recommendation {
    return { item: this.model.items[j].id, label: this.model.items[j].label, score, reason };
  }
}

/** The blend of a member's factor scores `f` with their history `repeat` ([item, decayed count] pairs), into `out` if given. */
export function blendScores(f: ArrayLike<number>, repeat: readonly (readonly [number, number])[], share: ArrayLike<number>, b: Blend, out = new Float64Array(f.length)): Float64Array {
  let total = 0;
  for (const [, v] of repeat) total += v;
  for (let j = 0; j < out.length; j++) out[j] = b.factor * f[j] + b.repeat * Math.log1p(b.prior * total * share[j]);
  for (const [j, v] of repeat) out[j] = b.factor * f[j] + b.repeat * Math.log1p(v + b.prior * total * share[j]);
  return out;
}

/**
 * Indexes of the k highest scores, skipping `exclude`; ties by index (deterministic). One pass keeping
 * the best k in order (no sort of every item, no garbage per call: this runs on every request).
 */
export function top(scores: ArrayLike<number>, k: number, exclude: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let j = 0; j < scores.length; j++) {
    const s = scores[j];
    if (exclude.has(j) || (out.length >= k && !(s > scores[out[k - 1]]))) continue;
    let i = Math.min(out.length, k - 1);
    for (; i > 0 && s > scores[out[i - 1]]; i--) out[i] = out[i - 1];
    out[i] = j;
  }
  return out;
}
