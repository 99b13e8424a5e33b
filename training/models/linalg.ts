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

