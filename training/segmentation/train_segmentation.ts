import { createHash } from 'node:crypto';
import { InsufficientDataError } from '../../core/errors';
import { Rng } from '../../pipelines/data_gen/rng';
import { designMatrix, fitDesign } from '../churn/design';
import { kmeans, silhouette } from '../models/kmeans';
import { gate, type TrainContext, type TrainedModel } from '../trained';
import type { SegmentationModel } from './model';

export const SEGMENTATION_PARAMS = { kMin: 2, kMax: 8, restarts: 4, silhouetteSample: 1500, activeDays: 30 };

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

/** Names a segment by its three most distinctive features (standardized centroid coordinates). */
function segmentName(centroid: Float64Array, names: string[]): string {
  return [...centroid].map((v, j) => [v, names[j]] as const).sort((a, b) => Math.abs(b[0]) - Math.abs(a[0])).slice(0, 3).map(([v, n]) => `${v > 0 ? 'high' : 'low'} ${n}`).join(', ');
}

/** k-means segmentation of members wearing a device (wearable days in the last 30), on the `segmentation` feature service; k by silhouette. */
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
  const scores: number[] = [];
  let best: ReturnType<typeof kmeans> | null = null;
  let bestScore = -Infinity;
  ctx.progress.start('segmentation k', P.kMax - P.kMin + 1);
  for (let k = P.kMin; k <= P.kMax; k++) {
    const fit = kmeans(X, n, d, k, ctx.seed, P.restarts);
    const s = silhouette(X, n, d, fit.labels, k, sample);
    scores.push(s);
    if (s > bestScore) [best, bestScore] = [fit, s];
    ctx.progress.tick();
  }
  ctx.progress.stop();
  const fit = best!;
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
  const metrics = { silhouette: bestScore, random_silhouette: randomScore, k: fit.k, inertia: fit.inertia, members: n, smallest_segment_share: Math.min(...segments.map((s) => s.size)) / n };
  return {
    name: 'segmentation',
    artifact: model,
    params: { model: 'kmeans++', k_range: `${P.kMin}-${P.kMax}`, restarts: P.restarts, silhouette_sample: sample.length, active_days: P.activeDays, features: features.length },
    metrics,
    curves: { silhouette_by_k: scores },
    tags: { 'fitlake.feature_service': 'segmentation', 'fitlake.train_rows': String(n) },
    files: [{ path: 'evaluation/segments.json', content: JSON.stringify({ metrics, silhouetteByK: Object.fromEntries(scores.map((s, i) => [P.kMin + i, s])), segments }, null, 1) }],
    primary: { metric: 'silhouette', better: 'higher' },
    gates: [gate('structure beyond chance', bestScore > randomScore + 0.05, `silhouette ${bestScore.toFixed(3)} > random assignment's ${randomScore.toFixed(3)} + 0.05`)],
    summary: [
      { metric: `silhouette (k = ${fit.k})`, model: bestScore, baseline: randomScore, better: 'higher' },
    ],
  };
}
