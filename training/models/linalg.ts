import { DataError } from '../../core/errors';

/** Solves H x = g for a symmetric positive-definite H by Cholesky (a tiny ridge if it is not). */
export function solveSpd(H: Float64Array, g: Float64Array, p: number): Float64Array {
  for (let ridge = 0; ; ridge = ridge === 0 ? 1e-10 : ridge * 10) {
    const L = new Float64Array(p * p);
    let ok = true;
    for (let i = 0; i < p && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = H[i * p + j] + (i === j ? ridge : 0);
        for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
        if (i === j) {
          if (s <= 0) ok = false;
          else L[i * p + i] = Math.sqrt(s);
        } else L[i * p + j] = s / L[j * p + j];
      }
    }
    if (!ok) {
      if (ridge > 1) throw new DataError('logistic regression: Hessian is not positive definite');
      continue;
    }
    const z = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      let s = g[i];
      for (let k = 0; k < i; k++) s -= L[i * p + k] * z[k];
      z[i] = s / L[i * p + i];
    }
    const x = new Float64Array(p);
    for (let i = p - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < p; k++) s -= L[k * p + i] * x[k];
      x[i] = s / L[i * p + i];
    }
    return x;
  }
}


/** Ridge regression on standardized, row-major X (n × d): y ≈ intercept + X β, the intercept unpenalized. */
export function fitRidge(X: Float64Array, y: Float64Array, n: number, d: number, lambda: number): { intercept: number; coef: number[] } {
  const my = y.reduce((a, b) => a + b, 0) / n;
  const mx = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mx[j] += X[i * d + j] / n;
  const A = new Float64Array(d * d);
  const b = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const r = y[i] - my;
    for (let a = 0; a < d; a++) {
      const xa = X[i * d + a] - mx[a];
      b[a] += xa * r;
      for (let c = a; c < d; c++) A[a * d + c] += xa * (X[i * d + c] - mx[c]);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let c = 0; c < a; c++) A[a * d + c] = A[c * d + a];
    A[a * d + a] += lambda * n;
  }
  const beta = solveSpd(A, b, d);
  let intercept = my;
  for (let j = 0; j < d; j++) intercept -= beta[j] * mx[j];
  return { intercept, coef: Array.from(beta) };
}
