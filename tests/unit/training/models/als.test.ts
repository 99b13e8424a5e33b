import { fitAls, transpose, type Csr } from '../../../../training/models/als';

/** Two taste groups: users 0–49 use items 0–9, users 50–99 items 10–19, each user a seeded 60% of their group's items. */
function blocks(): { m: Csr; held: [number, number][] } {
  let s = 11;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const indptr = [0];
  const indices: number[] = [];
  const held: [number, number][] = [];
  for (let u = 0; u < 100; u++) {
    const base = u < 50 ? 0 : 10;
    for (let j = base; j < base + 10; j++) {
      if (r() < 0.6) indices.push(j);
      else held.push([u, j]);
    }
    indptr.push(indices.length);
  }
  return { m: { rows: 100, cols: 20, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), values: new Float64Array(indices.length).fill(1) }, held };
}

describe('implicit ALS (conjugate gradient)', () => {
  const { m, held } = blocks();
  const fit = fitAls(m, { factors: 4, regularization: 0.1, alpha: 10, iterations: 10, cgSteps: 3, seed: 1 });
  const score = (u: number, j: number) => {
    let s = 0;
    for (let a = 0; a < 4; a++) s += fit.userFactors[u * 4 + a] * fit.itemFactors[j * 4 + a];
    return s;
  };

  it('ranks unseen items of a user’s own group above the other group’s (pairwise accuracy ≥ 95%)', () => {
    let right = 0;
    let pairs = 0;
    for (const [u, j] of held) {
      const other = u < 50 ? 10 : 0;
      for (let k = other; k < other + 10; k++, pairs++) if (score(u, j) > score(u, k)) right++;
    }
    expect(right / pairs).toBeGreaterThan(0.95);
  });

  it('lowers the loss at every sweep and is deterministic for a seed', () => {
    for (let i = 1; i < fit.losses.length; i++) expect(fit.losses[i]).toBeLessThanOrEqual(fit.losses[i - 1] + 1e-9);
    const again = fitAls(m, { factors: 4, regularization: 0.1, alpha: 10, iterations: 10, cgSteps: 3, seed: 1 });
    expect(Array.from(again.userFactors)).toEqual(Array.from(fit.userFactors));
  });

  it('transposes CSR exactly', () => {
    const t = transpose(transpose(m));
    expect(Array.from(t.indices)).toEqual(Array.from(m.indices));
    expect(Array.from(t.indptr)).toEqual(Array.from(m.indptr));
  });
});
