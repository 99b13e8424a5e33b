import { fitLogistic, predictLogistic } from '../../../../training/models/logistic_regression';

/** A seeded LCG, so the synthetic data is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function synthetic(n: number, coef: number[], intercept: number, seed: number) {
  const r = rng(seed);
  const d = coef.length;
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = intercept;
    for (let j = 0; j < d; j++) {
      const u = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
      X[i * d + j] = u;
      z += coef[j] * u;
    }
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X, y, d };
}

describe('logistic regression (Newton)', () => {
  it('recovers the generating coefficients from 20k rows in a few iterations', () => {
    const truth = [1.5, -0.8, 0, 0.4];
    const { X, y, d } = synthetic(20_000, truth, -1, 7);
    const m = fitLogistic(X, y, 20_000, d, { l2: 0 });
    expect(m.converged).toBe(true);
    expect(m.iterations).toBeLessThanOrEqual(10);
    m.coef.forEach((c, j) => expect(Math.abs(c - truth[j])).toBeLessThan(0.06));
    expect(Math.abs(m.intercept + 1)).toBeLessThan(0.06);
    for (let k = 1; k < m.losses.length; k++) expect(m.losses[k]).toBeLessThanOrEqual(m.losses[k - 1] + 1e-12);
  });

  it('shrinks coefficients under L2 and stays finite on separable data', () => {
    const { X, y, d } = synthetic(2000, [1.5, -0.8], 0, 3);
    const plain = fitLogistic(X, y, 2000, d, { l2: 0 });
    const ridge = fitLogistic(X, y, 2000, d, { l2: 1 });
    expect(Math.hypot(...ridge.coef)).toBeLessThan(Math.hypot(...plain.coef) / 2);
    const sepX = Float64Array.from([-2, -1, 1, 2]);
    const sep = fitLogistic(sepX, Float64Array.from([0, 0, 1, 1]), 4, 1, { l2: 0.01 });
    expect(Number.isFinite(sep.coef[0])).toBe(true);
    const p = predictLogistic(sep, sepX, 4);
    expect(p[0]).toBeLessThan(0.5);
    expect(p[3]).toBeGreaterThan(0.5);
  });

  it('weights rows: positive weights shift the intercept by their log', () => {
    const { X, y, d } = synthetic(20_000, [1], -3, 11);
    const w1 = 10;
    const plain = fitLogistic(X, y, 20_000, d, { l2: 0 });
    const weighted = fitLogistic(X, y, 20_000, d, { l2: 0, weights: Float64Array.from(y, (v) => (v === 1 ? w1 : 1)) });
    expect(weighted.intercept - Math.log(w1)).toBeCloseTo(plain.intercept, 1);
  });
});
