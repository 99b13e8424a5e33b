import { Rng } from '../../pipelines/data_gen/rng';

export interface KMeansFit {
  k: number;
  /** Row-major k × d centroids. */
  centroids: Float64Array;
  labels: Int32Array;
  inertia: number;
}

function dist2(X: Float64Array, i: number, C: Float64Array, c: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += (X[i * d + j] - C[c * d + j]) ** 2;
  return s;
}

/** Index of the nearest centroid to row i. */
export function nearest(X: Float64Array, i: number, C: Float64Array, k: number, d: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const v = dist2(X, i, C, c, d);
    if (v < bestD) [best, bestD] = [c, v];
  }
  return best;
}

/** k-means++ seeding, then Lloyd iterations; the best of `restarts` runs by inertia. */
export function kmeans(X: Float64Array, n: number, d: number, k: number, seed: number, restarts = 4, maxIterations = 100): KMeansFit {
  let best: KMeansFit | null = null;
  for (let r = 0; r < restarts; r++) {
    const rng = new Rng(seed * 31 + r);
    const C = new Float64Array(k * d);
    const first = rng.int(n);
    C.set(X.subarray(first * d, first * d + d), 0);
    const d2 = new Float64Array(n).fill(Infinity);
    for (let c = 1; c < k; c++) {
      let total = 0;
      for (let i = 0; i < n; i++) {
        d2[i] = Math.min(d2[i], dist2(X, i, C, c - 1, d));
        total += d2[i];
      }
      let target = rng.next() * total;
      let pick = n - 1;
      for (let i = 0; i < n; i++) if ((target -= d2[i]) <= 0) {
        pick = i;
        break;
      }
      C.set(X.subarray(pick * d, pick * d + d), c * d);
    }
    const labels = new Int32Array(n);
    for (let it = 0; it < maxIterations; it++) {
      let changed = it === 0;
      for (let i = 0; i < n; i++) {
        const c = nearest(X, i, C, k, d);
        if (c !== labels[i]) [labels[i], changed] = [c, true];
      }
      const sums = new Float64Array(k * d);
      const counts = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        counts[labels[i]]++;
        for (let j = 0; j < d; j++) sums[labels[i] * d + j] += X[i * d + j];
      }
      for (let c = 0; c < k; c++) if (counts[c] > 0) for (let j = 0; j < d; j++) C[c * d + j] = sums[c * d + j] / counts[c];
      if (!changed) break;
    }
    let inertia = 0;
    for (let i = 0; i < n; i++) inertia += dist2(X, i, C, labels[i], d);
    if (!best || inertia < best.inertia) best = { k, centroids: C, labels, inertia };
  }
  return best!;
}

/** Mean silhouette over the rows `sample` (indexes), distances to every row (O(|sample| · n · d)). */
export function silhouette(X: Float64Array, n: number, d: number, labels: Int32Array, k: number, sample: number[]): number {
  let total = 0;
  for (const i of sample) {
    const sum = new Float64Array(k);
    const cnt = new Float64Array(k);
    for (let t = 0; t < n; t++) {
      if (t === i) continue;
      let s = 0;
      for (let j = 0; j < d; j++) s += (X[i * d + j] - X[t * d + j]) ** 2;
      sum[labels[t]] += Math.sqrt(s);
      cnt[labels[t]]++;
    }
    const own = labels[i];
    if (cnt[own] === 0) continue;
    const a = sum[own] / cnt[own];
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && cnt[c] > 0) b = Math.min(b, sum[c] / cnt[c]);
    total += (b - a) / Math.max(a, b);
  }
  return total / sample.length;
}
