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

/** Equal-count bins by predicted probability: mean prediction and observed rate of each (a reliability curve). */
export function calibrationBins(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): { n: number; predicted: number; observed: number }[] {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const out: { n: number; predicted: number; observed: number }[] = [];
  for (let b = 0; b < bins; b++) {
    const part = idx.slice(Math.floor((b * idx.length) / bins), Math.floor(((b + 1) * idx.length) / bins));
    if (part.length === 0) continue;
    out.push({ n: part.length, predicted: part.reduce((s, i) => s + p[i], 0) / part.length, observed: part.reduce((s, i) => s + y[i], 0) / part.length });
  }
  return out;
}

/**
 * Expected calibration error over `bins` equal-count bins (weighted by bin size). Equal-count, not
 * equal-width: with a rare positive class equal-width bins put nearly every row in the first bin.
 */
export function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): number {
  return calibrationBins(p, y, bins).reduce((e, b) => e + (b.n / p.length) * Math.abs(b.predicted - b.observed), 0);
}

/** The ROC curve thinned to at most `points` points: false and true positive rates. */
export function rocCurve(p: ArrayLike<number>, y: ArrayLike<number>, points = 101): { fpr: number[]; tpr: number[] } {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  const pos = idx.reduce((s, i) => s + (y[i] === 1 ? 1 : 0), 0);
  const neg = idx.length - pos;
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  const every = Math.max(1, Math.floor(idx.length / (points - 1)));
  idx.forEach((i, k) => {
    if (y[i] === 1) tp++;
    else fp++;
    if ((k + 1) % every === 0 || k === idx.length - 1) {
      fpr.push(neg ? fp / neg : 0);
      tpr.push(pos ? tp / pos : 0);
    }
  });
  return { fpr, tpr };
}

/** Positive rate in the top `fraction` by score, divided by the overall positive rate. */
export function topLift(p: ArrayLike<number>, y: ArrayLike<number>, fraction = 0.1): number {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[b] - p[a]);
  const k = Math.max(1, Math.round(p.length * fraction));
  const top = idx.slice(0, k).reduce((s, i) => s + y[i], 0) / k;
  const all = Array.from(y).reduce((s, v) => s + v, 0) / p.length;
  return all === 0 ? NaN : top / all;
}

/**
 * Logistic recalibration (Cox 1958): the fit of logit P(y = 1) = a + b·logit(p). A calibrated model
 * has slope b ≈ 1 and intercept a ≈ 0; b < 1 means over-confident scores, b ≈ 0 scores that carry no
 * information (a random predictor), and a constant predictor has no slope at all (NaN).
 */
export function calibrationSlope(p: ArrayLike<number>, y: ArrayLike<number>): { slope: number; intercept: number } {
  const n = p.length;
  const x = Float64Array.from(p, (v) => {
    const q = Math.min(Math.max(v, 1e-9), 1 - 1e-9);
    return Math.log(q / (1 - q));
  });
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(x.reduce((s, v) => s + (v - mx) ** 2, 0) / n);
  if (!(sd > 1e-9)) return { slope: NaN, intercept: NaN };
  let a = 0;
  let b = 1;
  for (let it = 0; it < 50; it++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (let i = 0; i < n; i++) {
      const q = 1 / (1 + Math.exp(-(a + b * x[i])));
      const w = q * (1 - q);
      ga += y[i] - q;
      gb += (y[i] - q) * x[i];
      haa += w;
      hab += w * x[i];
      hbb += w * x[i] * x[i];
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { slope: b, intercept: a };
}
