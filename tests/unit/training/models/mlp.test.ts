import { fitMlp, mlpProbabilities } from '../../../../training/models/mlp';

/** Two inputs, class = whether they have the same sign (XOR): no linear model separates it. */
function xor(n: number, seed = 11) {
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const X = Float64Array.from({ length: 2 * n }, rand);
  const y = Int32Array.from({ length: n }, (_, i) => (X[2 * i] * X[2 * i + 1] > 0 ? 1 : 0));
  return { X, y };
}

describe('one-hidden-layer perceptron', () => {
  const opts = { hidden: 16, epochs: 60, batch: 32, learningRate: 0.01, l2: 0, seed: 3 };

  it('learns a boundary no linear model can draw, and its loss falls', () => {
    const { X, y } = xor(2000);
    const m = fitMlp(X, y, 2000, 2, 2, opts);
    expect(m.losses.at(-1)!).toBeLessThan(0.5 * m.losses[0]);
    const test = xor(500, 97);
    const p = mlpProbabilities(m, test.X, 500, 2);
    const correct = Array.from(test.y).filter((c, i) => (p[2 * i + 1] > 0.5 ? 1 : 0) === c).length;
    expect(correct / 500).toBeGreaterThan(0.9);
    for (let i = 0; i < 500; i++) expect(p[2 * i] + p[2 * i + 1]).toBeCloseTo(1, 12);
  });

  it('gives the same weights for the same seed and data', () => {
    const { X, y } = xor(300);
    const a = fitMlp(X, y, 300, 2, 2, { ...opts, epochs: 3 });
    const b = fitMlp(X, y, 300, 2, 2, { ...opts, epochs: 3 });
    expect(b).toEqual(a);
  });
});
