import { candidateSpecs, fitEts, forecastEts, selectEts } from '../../../../training/models/ets';

function normal(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** A local-level series y = l + e, l' = l + α e (ETS(A,N,N) with known α, σ). */
function localLevel(n: number, alpha: number, sigma: number, seed: number): number[] {
  const z = normal(seed);
  let l = 50;
  return Array.from({ length: n }, () => {
    const e = sigma * z();
    const y = l + e;
    l += alpha * e;
    return y;
  });
}

describe('ETS', () => {
  it('recovers α of a simulated local-level series and forecasts flat', () => {
    const fit = fitEts(localLevel(400, 0.3, 2, 3), { trend: 'none', season: 0 });
    expect(fit.alpha).toBeGreaterThan(0.2);
    expect(fit.alpha).toBeLessThan(0.4);
    expect(Math.sqrt(fit.sigma2)).toBeCloseTo(2, 0);
    const f = forecastEts(fit, 3);
    expect(f.mean[0]).toBeCloseTo(f.mean[2], 10);
    expect(f.sd[2] ** 2 / fit.sigma2).toBeCloseTo(1 + 2 * fit.alpha ** 2, 10);
  });

  it('gives 80% intervals that cover about 80% of simulated futures', () => {
    let hits = 0;
    let total = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const y = localLevel(64, 0.3, 2, seed);
      const f = forecastEts(fitEts(y.slice(0, 60), { trend: 'none', season: 0 }), 4);
      for (let h = 0; h < 4; h++, total++) if (Math.abs(y[60 + h] - f.mean[h]) <= 1.2816 * f.sd[h]) hits++;
    }
    expect(hits / total).toBeGreaterThan(0.74);
    expect(hits / total).toBeLessThan(0.86);
  });

  it('follows a trend with the damped model and picks it by AICc', () => {
    const z = normal(5);
    const y = Array.from({ length: 80 }, (_, t) => 10 + 0.5 * t + z());
    const fit = selectEts(y, 52);
    expect(fit.spec.trend).toBe('damped');
    expect(forecastEts(fit, 1).mean[0]).toBeGreaterThan(y[79] - 2);
  });

  it('offers seasonal models only with two full seasons', () => {
    expect(candidateSpecs(60, 52).some((s) => s.season)).toBe(false);
    expect(candidateSpecs(104, 52).filter((s) => s.season === 52)).toHaveLength(2);
  });
});
