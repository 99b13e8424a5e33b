import { kmeans, silhouette } from '../../../../training/models/kmeans';
import { fitRidge } from '../../../../training/models/linalg';

function blobs(k: number, perBlob: number): Float64Array {
  let s = 9;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  const X = new Float64Array(k * perBlob * 2);
  for (let c = 0; c < k; c++) for (let i = 0; i < perBlob; i++) {
    X[(c * perBlob + i) * 2] = c * 10 + r();
    X[(c * perBlob + i) * 2 + 1] = (c % 2) * 10 + r();
  }
  return X;
}

describe('k-means and silhouette', () => {
  it('finds well-separated blobs, and silhouette is highest at the true k', () => {
    const X = blobs(3, 40);
    const all = Array.from({ length: 120 }, (_, i) => i);
    const scores = [2, 3, 4, 5].map((k) => silhouette(X, 120, 2, kmeans(X, 120, 2, k, 1).labels, k, all));
    expect(scores.indexOf(Math.max(...scores))).toBe(1);
    const fit = kmeans(X, 120, 2, 3, 1);
    for (let c = 0; c < 3; c++) expect(new Set(Array.from(fit.labels.subarray(c * 40, c * 40 + 40))).size).toBe(1);
  });
});

describe('ridge regression', () => {
  it('recovers the coefficients of a noiseless linear map with a tiny penalty', () => {
    const n = 200;
    const X = Float64Array.from({ length: n * 2 }, (_, i) => Math.sin(i * 1.7) * 3);
    const y = Float64Array.from({ length: n }, (_, i) => 5 + 2 * X[i * 2] - 3 * X[i * 2 + 1]);
    const fit = fitRidge(X, y, n, 2, 1e-9);
    expect(fit.intercept).toBeCloseTo(5, 5);
    expect(fit.coef[0]).toBeCloseTo(2, 5);
    expect(fit.coef[1]).toBeCloseTo(-3, 5);
  });
});
