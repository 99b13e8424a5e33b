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
  /** Compute the training loss after each sweep (a curve for the run log; costs about one sweep in ten). Default true. */
  trackLoss?: boolean;
}

export interface AlsModel {
  factors: number;
  /** Row-major users × factors and items × factors. */
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** Weighted squared loss + penalty after each sweep, per observed entry (empty when not tracked). */
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
/** Σ A[ao + a] · v[a] for a < k (unrolled by four: the JIT does not unroll, and k is small). */
function dot(A: Float64Array, ao: number, v: Float64Array, k: number): number {
  let s0 = 0;
  let s1 = 0;
  let a = 0;
  for (; a + 3 < k; a += 4) {
    s0 += A[ao + a] * v[a] + A[ao + a + 2] * v[a + 2];
    s1 += A[ao + a + 1] * v[a + 1] + A[ao + a + 3] * v[a + 3];
  }
  for (; a < k; a++) s0 += A[ao + a] * v[a];
  return s0 + s1;
}

/** out[a] += f · A[ao + a] for a < k (unrolled by four). */
function axpy(out: Float64Array, f: number, A: Float64Array, ao: number, k: number): void {
  let a = 0;
  for (; a + 3 < k; a += 4) {
    out[a] += f * A[ao + a];
    out[a + 1] += f * A[ao + a + 1];
    out[a + 2] += f * A[ao + a + 2];
    out[a + 3] += f * A[ao + a + 3];
  }
  for (; a < k; a++) out[a] += f * A[ao + a];
}

/** out = (G + λI) v for a k × k row-major G. */
function gramTimes(out: Float64Array, G: Float64Array, v: Float64Array, lambda: number, k: number): void {
  for (let a = 0; a < k; a++) out[a] = dot(G, a * k, v, k) + lambda * v[a];
}

function sweep(X: Float64Array, Y: Float64Array, m: Csr, cm1: Float64Array, k: number, o: AlsOptions): void {
  const G = gram(Y, m.cols, k);
  const { indptr, indices } = m;
  const x = new Float64Array(k);
  const r = new Float64Array(k);
  const p = new Float64Array(k);
  const Ap = new Float64Array(k);
  const lambda = o.regularization;
  for (let u = 0; u < m.rows; u++) {
    const xo = u * k;
    for (let a = 0; a < k; a++) x[a] = X[xo + a];
    // r = b − A x, with b = Σ c·y over observed items and A x = G x + Σ (c − 1)(y·x) y + λ x
    gramTimes(r, G, x, lambda, k);
    for (let a = 0; a < k; a++) r[a] = -r[a];
    const start = indptr[u];
    const end = indptr[u + 1];
    for (let e = start; e < end; e++) {
      const c1 = cm1[e];
      const yo = indices[e] * k;
      axpy(r, 1 + c1 - c1 * dot(Y, yo, x, k), Y, yo, k);
    }
    let rs = 0;
    for (let a = 0; a < k; a++) {
      p[a] = r[a];
      rs += r[a] * r[a];
    }
    for (let step = 0; step < o.cgSteps && rs > 1e-20; step++) {
      gramTimes(Ap, G, p, lambda, k);
      for (let e = start; e < end; e++) {
        const yo = indices[e] * k;
        axpy(Ap, cm1[e] * dot(Y, yo, p, k), Y, yo, k);
      }
      const t = rs / dot(p, 0, Ap, k);
      let rsNew = 0;
      for (let a = 0; a < k; a++) {
        x[a] += t * p[a];
        r[a] -= t * Ap[a];
        rsNew += r[a] * r[a];
      }
      const beta = rsNew / rs;
      for (let a = 0; a < k; a++) p[a] = r[a] + beta * p[a];
      rs = rsNew;
    }
    for (let a = 0; a < k; a++) X[xo + a] = x[a];
  }
}

/** Σ over observed (c − 1)(1 − x·y)² − … the full implicit loss in O(nnz·k + n·k²), per observed entry. */
function loss(U: Float64Array, V: Float64Array, m: Csr, k: number, o: AlsOptions): number {
  const G = gram(V, m.cols, k);
  let total = 0;
  for (let u = 0; u < m.rows; u++) {
    const xo = u * k;
    let xGx = 0;
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += G[a * k + b] * U[xo + b];
      xGx += U[xo + a] * s;
    }
    total += xGx;
    for (let e = m.indptr[u]; e < m.indptr[u + 1]; e++) {
      const c = 1 + o.alpha * m.values[e];
      const yo = m.indices[e] * k;
      let s = 0;
      for (let a = 0; a < k; a++) s += U[xo + a] * V[yo + a];
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
  const cm1 = m.values.map((v) => o.alpha * v);
  const cm1t = mt.values.map((v) => o.alpha * v);
  const losses: number[] = [];
  for (let it = 0; it < o.iterations; it++) {
    sweep(U, V, m, cm1, k, o);
    sweep(V, U, mt, cm1t, k, o);
    if (o.trackLoss !== false) losses.push(loss(U, V, m, k, o));
    onIteration?.(it);
  }
  return { factors: k, userFactors: Float32Array.from(U), itemFactors: Float32Array.from(V), losses };
}
