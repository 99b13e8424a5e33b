import { Rng } from '../../pipelines/data_gen/rng';

/** A user × item matrix of implicit-feedback strengths in CSR form (row = user). */
export interface Csr {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

export interface AlsOptions {
  factors: number;
  /** L2 penalty λ on every factor vector. */
  regularization: number;
  /** Confidence c = 1 + alpha × value for observed entries (Hu, Koren & Volinsky 2008). */
  alpha: number;
  iterations: number;
  /** Conjugate-gradient steps per vector and sweep (Takács et al. 2011), warm-started from the previous sweep. */
  cgSteps: number;
  seed: number;
}

export interface AlsModel {
  factors: number;
  /** Row-major users × factors and items × factors. */
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** Weighted squared loss + penalty after each sweep, per observed entry. */
  losses: number[];
}

export function transpose(m: Csr): Csr {
  const counts = new Int32Array(m.cols + 1);
  for (let k = 0; k < m.indices.length; k++) counts[m.indices[k] + 1]++;
  for (let j = 0; j < m.cols; j++) counts[j + 1] += counts[j];
  const indptr = counts.slice();
  const indices = new Int32Array(m.indices.length);
  const values = new Float64Array(m.values.length);
  const next = counts.slice(0, m.cols);
  for (let i = 0; i < m.rows; i++) {
    for (let k = m.indptr[i]; k < m.indptr[i + 1]; k++) {
      const j = m.indices[k];
      indices[next[j]] = i;
      values[next[j]++] = m.values[k];
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

/** YᵀY (k × k) of a row-major n × k factor matrix. */
function gram(Y: Float64Array, n: number, k: number): Float64Array {
  const G = new Float64Array(k * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let a = 0; a < k; a++) {
      const ya = Y[o + a];
      if (ya === 0) continue;
      for (let b = a; b < k; b++) G[a * k + b] += ya * Y[o + b];
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) G[a * k + b] = G[b * k + a];
  return G;
}

/**
 * One ALS half-sweep: re-solves every row vector of X against the fixed Y with CG on
 * (YᵀY + Yᵀ(Cu − I)Y + λI) x = Yᵀ Cu p, never forming the per-row matrix (cost O(nnz·k + k²) per step).
 */
function sweep(X: Float64Array, Y: Float64Array, m: Csr, k: number, o: AlsOptions): void {
  const G = gram(Y, m.cols, k);
  const r = new Float64Array(k);
  const p = new Float64Array(k);
  const Ap = new Float64Array(k);
  for (let u = 0; u < m.rows; u++) {
    const x = X.subarray(u * k, u * k + k);
    // r = b − A x, with b = Σ c·y over observed items and A x = G x + Σ (c − 1)(y·x) y + λ x
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += G[a * k + b] * x[b];
      r[a] = -s - o.regularization * x[a];
    }
    for (let e = m.indptr[u]; e < m.indptr[u + 1]; e++) {
      const c = 1 + o.alpha * m.values[e];
      const y = Y.subarray(m.indices[e] * k, m.indices[e] * k + k);
      let yx = 0;
      for (let a = 0; a < k; a++) yx += y[a] * x[a];
      const w = c - (c - 1) * yx;
      for (let a = 0; a < k; a++) r[a] += w * y[a];
    }
    p.set(r);
    let rs = r.reduce((s, v) => s + v * v, 0);
    for (let step = 0; step < o.cgSteps && rs > 1e-20; step++) {
      for (let a = 0; a < k; a++) {
        let s = o.regularization * p[a];
        for (let b = 0; b < k; b++) s += G[a * k + b] * p[b];
        Ap[a] = s;
      }
      for (let e = m.indptr[u]; e < m.indptr[u + 1]; e++) {
        const c1 = o.alpha * m.values[e];
        const y = Y.subarray(m.indices[e] * k, m.indices[e] * k + k);
        let yp = 0;
        for (let a = 0; a < k; a++) yp += y[a] * p[a];
        for (let a = 0; a < k; a++) Ap[a] += c1 * yp * y[a];
      }
      let pAp = 0;
      for (let a = 0; a < k; a++) pAp += p[a] * Ap[a];
      const alpha = rs / pAp;
      let rsNew = 0;
      for (let a = 0; a < k; a++) {
        x[a] += alpha * p[a];
        r[a] -= alpha * Ap[a];
        rsNew += r[a] * r[a];
      }
      for (let a = 0; a < k; a++) p[a] = r[a] + (rsNew / rs) * p[a];
      rs = rsNew;
    }
  }
}

/** Σ over observed (c − 1)(1 − x·y)² − … the full implicit loss in O(nnz·k + n·k²), per observed entry. */
function loss(U: Float64Array, V: Float64Array, m: Csr, k: number, o: AlsOptions): number {
  const G = gram(V, m.cols, k);
  let total = 0;
  for (let u = 0; u < m.rows; u++) {
    const x = U.subarray(u * k, u * k + k);
    let xGx = 0;
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) xGx += x[a] * G[a * k + b] * x[b];
    total += xGx;
    for (let e = m.indptr[u]; e < m.indptr[u + 1]; e++) {
      const c = 1 + o.alpha * m.values[e];
      const y = V.subarray(m.indices[e] * k, m.indices[e] * k + k);
      let s = 0;
      for (let a = 0; a < k; a++) s += x[a] * y[a];
      total += c * (1 - s) ** 2 - s * s;
    }
  }
  let reg = 0;
  for (const v of U) reg += v * v;
  for (const v of V) reg += v * v;
  return (total + o.regularization * reg) / Math.max(m.indices.length, 1);
}

/** Implicit-feedback matrix factorization by alternating least squares with conjugate-gradient solves. */
export function fitAls(m: Csr, o: AlsOptions, onIteration?: (i: number) => void): AlsModel {
  const k = o.factors;
  const rng = new Rng(o.seed);
  const U = Float64Array.from({ length: m.rows * k }, () => (rng.next() - 0.5) * 0.02);
  const V = Float64Array.from({ length: m.cols * k }, () => (rng.next() - 0.5) * 0.02);
  const mt = transpose(m);
  const losses: number[] = [];
  for (let it = 0; it < o.iterations; it++) {
    sweep(U, V, m, k, o);
    sweep(V, U, mt, k, o);
    losses.push(loss(U, V, m, k, o));
    onIteration?.(it);
  }
  return { factors: k, userFactors: Float32Array.from(U), itemFactors: Float32Array.from(V), losses };
}
