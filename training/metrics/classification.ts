/** Binary classification metrics on probabilities `p` and labels `y` (0/1). */

/** ROC-AUC by the rank-sum (Mann–Whitney) formula, ties given half credit. */
export function rocAuc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  let rankSum = 0;
  let pos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]] === p[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]] === 1) {
      rankSum += rank;
      pos++;
    }
    i = j + 1;
  }
  const neg = p.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision (area under the precision–recall curve, step-wise). */
export function prAuc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  const pos = idx.reduce((s, i) => s + (y[i] === 1 ? 1 : 0), 0);
  if (pos === 0) return NaN;
  let tp = 0;
  let ap = 0;
  idx.forEach((i, k) => {
    if (y[i] === 1) {
      tp++;
      ap += tp / (k + 1);
    }
  });
  return ap / pos;
}

export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(Math.max(p[i], 1e-15), 1 - 1e-15);
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / p.length;
}

export function brier(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - y[i]) ** 2;
  return s / p.length;
}

/** Expected calibration error over `bins` equal-width probability bins (weighted by bin size). */
export function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): number {
  const n = new Float64Array(bins);
  const sp = new Float64Array(bins);
  const sy = new Float64Array(bins);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.floor(p[i] * bins));
    n[b]++;
    sp[b] += p[i];
    sy[b] += y[i];
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (n[b] > 0) e += (n[b] / p.length) * Math.abs(sp[b] / n[b] - sy[b] / n[b]);
  return e;
}

/** Positive rate in the top `fraction` by score, divided by the overall positive rate. */
export function topLift(p: ArrayLike<number>, y: ArrayLike<number>, fraction = 0.1): number {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  const k = Math.max(1, Math.round(p.length * fraction));
  const top = idx.slice(0, k).reduce((s, i) => s + y[i], 0) / k;
  const all = Array.from(y).reduce((s, v) => s + v, 0) / p.length;
  return all === 0 ? NaN : top / all;
}
