import { z } from 'zod';

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
    /** Per member: item indexes never to recommend as of training (products bought in the last `excludeDays`). */
    exclude: z.array(z.array(z.number().int())),
    excludeDays: z.number().int().min(0),
    /** Cold start: item popularity (distinct members, last 90 days) overall and by the member's home club. */
    popularity: z.object({ global: z.array(z.number()), byClub: z.record(z.string(), z.array(z.number())) }).strict(),
    dataVersion: z.string(),
    trainedThrough: z.string(),
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

  constructor(readonly model: RecommenderModel) {
    this.memberIndex = new Map(model.members.map((m, i) => [m, i]));
    this.U = decodeF32(model.userFactors);
    this.V = decodeF32(model.itemFactors);
  }

  knows(member: string): boolean {
    return this.memberIndex.has(member);
  }

  /** Scores of every item for a known member (dot products of factors). */
  scores(member: string): Float64Array {
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
   * Top-k items for a member. Known members: factor scores minus their exclusions, with the most similar
   * item of their history as the reason. Unknown members (cold start): popularity at `homeClub`, else overall.
   * Items `skip` names (e.g. the class the member just checked into) are left out too.
   */
  recommend(member: string, k: number, homeClub?: string | null, skip?: (itemId: string) => boolean): { items: Recommendation[]; fallback: boolean } {
    const u = this.memberIndex.get(member);
    const skipped = skip ? this.model.items.flatMap((it, j) => (skip(it.id) ? [j] : [])) : [];
    const verb = this.model.target === 'classes' ? 'you attended' : 'you bought';
    if (u === undefined) {
      const club = homeClub ? this.model.popularity.byClub[homeClub] : undefined;
      const scores = club ?? this.model.popularity.global;
      return { items: top(scores, k, new Set(skipped)).map((j) => this.item(j, scores[j], club ? `popular with members of ${homeClub}` : 'popular with members')), fallback: true };
    }
    const scores = this.scores(member);
    return {
      items: top(scores, k, new Set([...this.model.exclude[u], ...skipped])).map((j) => {
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
