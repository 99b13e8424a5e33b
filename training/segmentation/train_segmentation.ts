import { createHash } from 'node:crypto';
import { InsufficientDataError } from '../../core/errors';
import { Rng } from '../../pipelines/data_gen/rng';
import { designMatrix, fitDesign } from '../churn/design';
import { readLake } from '../lake';
import { adjustedRandIndex, cramersV } from '../metrics/clustering';
import { kmeans, nearest, silhouette } from '../models/kmeans';
import { segmentName } from './describe';
import { gate, type TrainContext, type TrainedModel } from '../trained';
import type { SegmentationModel } from './model';

/** `minStability`: the adjusted Rand index a k must reach between fits on 80 % subsamples and the full fit. */
export const SEGMENTATION_PARAMS = { kMin: 2, kMax: 8, restarts: 4, silhouetteSample: 1500, activeDays: 30, subsample: 0.8, minStability: 0.8 };

/** Members with any activity in the last `days` days, at the morning after the data's last day. */
function activeMembersSql(days: number): string {
  return `WITH last AS (SELECT max(date) AS d FROM member_daily_activity)
SELECT DISTINCT a.member_id, fitlake_day_start(last.d + 1) AS event_timestamp
FROM member_daily_activity a, last WHERE a.date > last.d - ${days} ORDER BY a.member_id`;
}

/** A uniform sample of `size` distinct indexes below n (partial Fisher–Yates), ascending. */
export function sampleIndexes(rng: Rng, n: number, size: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  const m = Math.min(size, n);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, m).sort((a, b) => a - b);
}

/**
 * How stable k clusters are: k-means refitted on two 80 % subsamples of the members (other seeds),
 * every member assigned to the nearest refitted centroid, agreement with the full fit (mean ARI).
 */
function stability(X: Float64Array, n: number, d: number, k: number, full: Int32Array, seed: number): number {
  const rng = new Rng(seed + 7919 * k);
  const scores = [1, 2].map((r) => {
    const rows = sampleIndexes(rng, n, Math.floor(SEGMENTATION_PARAMS.subsample * n));
    const sub = new Float64Array(rows.length * d);
    rows.forEach((i, t) => sub.set(X.subarray(i * d, i * d + d), t * d));
    const fit = kmeans(sub, rows.length, d, k, seed + r, SEGMENTATION_PARAMS.restarts);
    return adjustedRandIndex(full, Int32Array.from({ length: n }, (_, i) => nearest(X, i, fit.centroids, k, d)));
  });
  return (scores[0] + scores[1]) / 2;
}

/** Each member's current home club (for reporting how much the segments follow the clubs). */
async function homeClubs(ctx: TrainContext, members: string[]): Promise<Map<string, string>> {
  const wanted = new Set(members);
  const rows = await readLake(ctx, (lake) => lake.query(`SELECT member_id, arg_max(club_id, valid_from) AS club FROM dim_member GROUP BY member_id`));
  return new Map(rows.filter((r) => wanted.has(String(r.member_id))).map((r) => [String(r.member_id), String(r.club)]));
}

/**
 * k-means segmentation of members wearing a device (wearable days in the last 30) on the
 * `segmentation` feature service (behaviour, not the club's timetable); k by silhouette among the
 * stable ones, segments named in gym language, their association with the home club reported.
 */
export async function trainSegmentation(ctx: TrainContext): Promise<TrainedModel> {
  const P = SEGMENTATION_PARAMS;
  const set = await ctx.store.getHistoricalFeatures({ sql: activeMembersSql(P.activeDays) }, { service: 'segmentation' });
  const rows = (await set.rows()).filter((r) => Number(r.wearable_days_30d) > 0);
  await set.close();
  const features = set.columns.filter((c) => c !== 'member_id' && c !== 'event_timestamp');
  if (rows.length < 50) throw new InsufficientDataError(`segmentation needs at least 50 active members with wearable data, found ${rows.length}`);
  const design = fitDesign(rows, features, []);
  const { X, n, d } = designMatrix(design, rows);
  const rng = new Rng(ctx.seed);
  const sample = sampleIndexes(rng, n, P.silhouetteSample);
  const tried: { fit: ReturnType<typeof kmeans>; silhouette: number; stability: number }[] = [];
  ctx.progress.start('segmentation k', P.kMax - P.kMin + 1);
  for (let k = P.kMin; k <= P.kMax; k++) {
    const fit = kmeans(X, n, d, k, ctx.seed, P.restarts);
    tried.push({ fit, silhouette: silhouette(X, n, d, fit.labels, k, sample), stability: stability(X, n, d, k, fit.labels, ctx.seed) });
    ctx.progress.tick();
  }
  ctx.progress.stop();
  const stable = tried.filter((t) => t.stability >= P.minStability);
  const chosen = (stable.length ? stable : tried).reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  const { fit, silhouette: bestScore } = chosen;
  const scores = tried.map((t) => t.silhouette);
  const random = Int32Array.from({ length: n }, () => rng.int(fit.k));
  const randomScore = silhouette(X, n, d, random, fit.k, sample);
  const refs = ctx.store.resolve({ service: 'segmentation' }).flatMap((v) => v.features.map((f) => `${v.view.name}:${f.name}`));
  const trainedThrough = (rows[0].event_timestamp as Date).toISOString();
  const segments = Array.from({ length: fit.k }, (_, c) => {
    const members = rows.filter((_, i) => fit.labels[i] === c);
    const means = Object.fromEntries(features.map((f) => [f, members.reduce((s, r) => s + (Number(r[f]) || 0), 0) / Math.max(members.length, 1)]));
    return { id: c, name: segmentName(fit.centroids.subarray(c * d, c * d + d), features), size: members.length, means };
  });
  const dataVersion = createHash('sha256').update(JSON.stringify([ctx.store.registry().version, trainedThrough, n])).digest('hex').slice(0, 16);
  const model: SegmentationModel = { kind: 'segmentation', formatVersion: 1, featureService: 'segmentation', features: refs, design: { numeric: design.numeric, categorical: [] }, k: fit.k, centroids: Array.from(fit.centroids), segments, dataVersion, trainedThrough };
  const clubs = await homeClubs(ctx, rows.map((r) => String(r.member_id)));
  const clubV = cramersV(fit.labels, rows.map((r) => clubs.get(String(r.member_id)) ?? ''));
  const metrics = { silhouette: bestScore, random_silhouette: randomScore, stability: chosen.stability, home_club_cramers_v: clubV, k: fit.k, inertia: fit.inertia, members: n, smallest_segment_share: Math.min(...segments.map((s) => s.size)) / n };
  return {
    name: 'segmentation',
    artifact: model,
    params: { model: 'kmeans++', k_range: `${P.kMin}-${P.kMax}`, k_rule: `best silhouette among k with stability ≥ ${P.minStability}`, restarts: P.restarts, silhouette_sample: sample.length, active_days: P.activeDays, features: features.length },
    metrics,
    curves: { silhouette_by_k: scores, stability_by_k: tried.map((t) => t.stability) },
    tags: { 'fitlake.feature_service': 'segmentation', 'fitlake.train_rows': String(n) },
    files: [{ path: 'evaluation/segments.json', content: JSON.stringify({ metrics, silhouetteByK: Object.fromEntries(scores.map((s, i) => [P.kMin + i, s])), segments }, null, 1) }],
    primary: { metric: 'silhouette', better: 'higher' },
    gates: [
      gate('structure beyond chance', bestScore > randomScore + 0.05, `silhouette ${bestScore.toFixed(3)} > random assignment's ${randomScore.toFixed(3)} + 0.05`),
      gate('stable', chosen.stability >= P.minStability, `ARI between subsample refits and the fit ${chosen.stability.toFixed(3)} ≥ ${P.minStability}`),
      gate('not the home club', clubV < 0.5, `Cramér's V between segment and home club ${clubV.toFixed(3)} < 0.5`),
    ],
    summary: [
      { metric: `silhouette (k = ${fit.k})`, model: bestScore, baseline: randomScore, better: 'higher' },
      { metric: 'stability (ARI)', model: chosen.stability, truth: 1, better: 'higher' },
      { metric: "segment ~ home club (Cramér's V)", model: clubV, better: 'lower' },
    ],
  };
}
