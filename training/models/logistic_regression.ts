import { DataError } from '../../core/errors';
import { solveSpd } from './linalg';

/** A fitted binary logistic regression on standardized inputs: p = σ(intercept + Σ coef·x). */
export interface LogisticModel {
  intercept: number;
  coef: number[];
  /** Newton iterations used and whether the gradient fell below tolerance. */
  iterations: number;
  converged: boolean;
  /** Penalized weighted log loss per Newton step (a training curve). */
  losses: number[];
}

export interface LogisticOptions {
  /** L2 penalty λ on the coefficients (not the intercept), on the mean weighted loss scale. */
  l2: number;
  /** Per-row weights (class balancing); default 1. */
  weights?: Float64Array;
  maxIterations?: number;
  tolerance?: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/**
 * Fits by Newton–Raphson (iteratively reweighted least squares) with step halving: the loss is
 * convex and the design small (tens of columns), so a handful of exact Newton steps converge where
 * gradient descent needs thousands. X is row-major, n × d.
 */
export function fitLogistic(X: Float64Array, y: Float64Array, n: number, d: number, opts: LogisticOptions): LogisticModel {
  if (X.length !== n * d || y.length !== n) throw new DataError(`design is ${X.length} values for ${n}×${d}, labels ${y.length}`);
  const w = opts.weights ?? new Float64Array(n).fill(1);
  const wsum = w.reduce((a, b) => a + b, 0);
  const p = d + 1;
  let beta = new Float64Array(p);
  const losses: number[] = [];
  const maxIt = opts.maxIterations ?? 50;
  const tol = opts.tolerance ?? 1e-8;
  let { loss, z } = evaluate(X, y, w, wsum, n, d, beta, opts.l2);
  let converged = false;
  let it = 0;
  let hess: Float64Array | null = null;
  let lastDecrease = Infinity;
  for (; it < maxIt; it++) {
    const { g, h } = rowWeights(z, y, w, wsum, n);
    const grad = gradient(X, g, n, d, beta, opts.l2);
    const gnorm = Math.sqrt(grad.reduce((a, v) => a + v * v, 0));
    losses.push(loss);
    if (gnorm < tol) {
      converged = true;
      break;
    }
    // Near the optimum (last step gained < 0.1% of the loss) the previous Hessian is still a fine
    // metric: reusing it (a chord step) costs one gradient instead of an n·d² Hessian.
    if (!hess || lastDecrease > 1e-3 * Math.abs(loss)) hess = hessian(X, h, n, d, opts.l2);
    const step = solveSpd(hess, grad, p);
    let t = 1;
    for (;;) {
      const next = beta.map((b, i) => b - t * step[i]);
      const e = evaluate(X, y, w, wsum, n, d, next, opts.l2);
      if (e.loss <= loss || t < 1e-6) {
        beta = next;
        lastDecrease = loss - e.loss;
        ({ loss, z } = e);
        break;
      }
      t /= 2;
    }
  }
  return { intercept: beta[0], coef: Array.from(beta.subarray(1)), iterations: it, converged, losses };
}

/** Linear predictors z = Xβ and the penalized weighted mean log loss at β (one pass over X). */
function evaluate(X: Float64Array, y: Float64Array, w: Float64Array, wsum: number, n: number, d: number, beta: Float64Array, l2: number): { loss: number; z: Float64Array } {
  const zs = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) {
    let z = beta[0];
    const o = i * d;
    for (let j = 0; j < d; j++) z += beta[j + 1] * X[o + j];
    zs[i] = z;
    // log(1 + e^z) − y z, computed stably
    s += w[i] * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i] * z);
  }
  let r = 0;
  for (let j = 1; j <= d; j++) r += beta[j] * beta[j];
  return { loss: s / wsum + 0.5 * l2 * r, z: zs };
}

/** Per-row gradient weights g and Hessian weights h from z: g = w(μ − y)/W, h = wμ(1 − μ)/W. */
function rowWeights(z: Float64Array, y: Float64Array, w: Float64Array, wsum: number, n: number) {
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mu = sigmoid(z[i]);
    g[i] = (w[i] * (mu - y[i])) / wsum;
    h[i] = (w[i] * mu * (1 - mu)) / wsum;
  }
  return { g, h };
}

function gradient(X: Float64Array, g: Float64Array, n: number, d: number, beta: Float64Array, l2: number): Float64Array {
  const grad = new Float64Array(d + 1);
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const o = i * d;
    grad[0] += gi;
    for (let j = 0; j < d; j++) grad[j + 1] += gi * X[o + j];
  }
  for (let j = 1; j <= d; j++) grad[j] += l2 * beta[j];
  return grad;
}

/**
 * Xᵀ diag(h) X with the intercept column: rows gathered eight at a time into a column-major block,
 * so each upper-triangle entry takes one store per eight rows; then mirrored, plus λ on the diagonal.
 */
function hessian(X: Float64Array, h: Float64Array, n: number, d: number, l2: number): Float64Array {
  const p = d + 1;
  const B = 8;
  const H = new Float64Array(p * p);
  const block = new Float64Array(p * B);
  const hb = new Float64Array(p * B);
  for (let i = 0; i < n; i += B) {
    if (i + B > n) {
      block.fill(0);
      hb.fill(0);
    }
    for (let t = 0; t < B && i + t < n; t++) {
      const o = (i + t) * d;
      const hi = h[i + t];
      block[t] = 1;
      hb[t] = hi;
      for (let j = 0; j < d; j++) {
        block[(j + 1) * B + t] = X[o + j];
        hb[(j + 1) * B + t] = hi * X[o + j];
      }
    }
    for (let a = 0; a < p; a++) {
      const ao = a * B;
      const x0 = hb[ao], x1 = hb[ao + 1], x2 = hb[ao + 2], x3 = hb[ao + 3], x4 = hb[ao + 4], x5 = hb[ao + 5], x6 = hb[ao + 6], x7 = hb[ao + 7];
      const base = a * p;
      for (let b = a; b < p; b++) {
        const bo = b * B;
        H[base + b] += x0 * block[bo] + x1 * block[bo + 1] + x2 * block[bo + 2] + x3 * block[bo + 3] + x4 * block[bo + 4] + x5 * block[bo + 5] + x6 * block[bo + 6] + x7 * block[bo + 7];
      }
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) H[a * p + b] = H[b * p + a];
  for (let j = 1; j < p; j++) H[j * p + j] += l2;
  return H;
}

/** Probabilities for row-major standardized inputs. */
export function predictLogistic(m: Pick<LogisticModel, 'intercept' | 'coef'>, X: Float64Array, n: number): Float64Array {
  const d = m.coef.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = m.intercept;
    for (let j = 0; j < d; j++) z += m.coef[j] * X[i * d + j];
    out[i] = sigmoid(z);
  }
  return out;
}
