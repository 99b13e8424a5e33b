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
  let loss = objective(X, y, w, wsum, n, d, beta, opts.l2);
  let converged = false;
  let it = 0;
  for (; it < maxIt; it++) {
    const { grad, hess } = gradHess(X, y, w, wsum, n, d, beta, opts.l2);
    const gnorm = Math.sqrt(grad.reduce((a, g) => a + g * g, 0));
    losses.push(loss);
    if (gnorm < tol) {
      converged = true;
      break;
    }
    const step = solveSpd(hess, grad, p);
    let t = 1;
    for (;;) {
      const next = beta.map((b, i) => b - t * step[i]);
      const nextLoss = objective(X, y, w, wsum, n, d, next, opts.l2);
      if (nextLoss <= loss || t < 1e-6) {
        beta = next;
        loss = nextLoss;
        break;
      }
      t /= 2;
    }
  }
  return { intercept: beta[0], coef: Array.from(beta.subarray(1)), iterations: it, converged, losses };
}

function objective(X: Float64Array, y: Float64Array, w: Float64Array, wsum: number, n: number, d: number, beta: Float64Array, l2: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let z = beta[0];
    for (let j = 0; j < d; j++) z += beta[j + 1] * X[i * d + j];
    // log(1 + e^z) − y z, computed stably
    s += w[i] * (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i] * z);
  }
  let r = 0;
  for (let j = 1; j <= d; j++) r += beta[j] * beta[j];
  return s / wsum + 0.5 * l2 * r;
}

function gradHess(X: Float64Array, y: Float64Array, w: Float64Array, wsum: number, n: number, d: number, beta: Float64Array, l2: number) {
  const p = d + 1;
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  const row = new Float64Array(p);
  row[0] = 1;
  for (let i = 0; i < n; i++) {
    let z = beta[0];
    for (let j = 0; j < d; j++) {
      row[j + 1] = X[i * d + j];
      z += beta[j + 1] * row[j + 1];
    }
    const mu = sigmoid(z);
    const g = (w[i] * (mu - y[i])) / wsum;
    const h = (w[i] * mu * (1 - mu)) / wsum;
    for (let a = 0; a < p; a++) {
      grad[a] += g * row[a];
      const ha = h * row[a];
      for (let b = a; b < p; b++) hess[a * p + b] += ha * row[b];
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) hess[a * p + b] = hess[b * p + a];
  for (let j = 1; j < p; j++) {
    grad[j] += l2 * beta[j];
    hess[j * p + j] += l2;
  }
  return { grad, hess };
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
