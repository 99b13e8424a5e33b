import { Rng } from '../../../../pipelines/data_gen/rng';

describe('Rng', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const sa = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(sa);
    expect(sa.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws from the distributions it names', () => {
    const r = new Rng(1);
    const n = 40000;
    const mean = (f: () => number) => Array.from({ length: n }, f).reduce((s, x) => s + x, 0) / n;
    expect(mean(() => r.normal(5, 2))).toBeCloseTo(5, 1);
    expect(mean(() => r.poisson(3.5))).toBeCloseTo(3.5, 1);
    expect(mean(() => r.poisson(80))).toBeCloseTo(80, 0);
    expect(mean(() => r.gamma(2.5))).toBeCloseTo(2.5, 1);
    expect(mean(() => r.beta(2, 6))).toBeCloseTo(0.25, 2);
    expect(mean(() => r.exponential(4))).toBeCloseTo(4, 1);
    const d = r.dirichlet([1, 2, 3]);
    expect(d.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) counts[r.weighted([1, 2, 7])]++;
    expect(counts[2] / n).toBeCloseTo(0.7, 1);
  });

  it('forks independent child streams deterministically', () => {
    const x = new Rng(3).fork(1);
    const y = new Rng(3).fork(1);
    expect(x.next()).toBe(y.next());
    expect(new Rng(3).fork(1).next()).not.toBe(new Rng(3).fork(2).next());
  });
});
