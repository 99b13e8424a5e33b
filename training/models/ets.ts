import { nelderMead } from './nelder_mead';

/** Additive-error exponential smoothing: level, optional damped trend, optional additive season. */
export interface EtsSpec {
  trend: 'none' | 'damped';
  /** Season length in periods, or 0 for none. */
  season: number;
}

export interface EtsFit {
  spec: EtsSpec;
  alpha: number;
  beta: number;
  phi: number;
  gamma: number;
  /** Final states: level, trend and the last `season` seasonal terms (oldest first). */
  level: number;
  slope: number;
  seasonal: number[];
  /** One-step residual variance (SSE / (n − parameters)). */
  sigma2: number;
  aicc: number;
  n: number;
}

const squash = (v: number, lo: number, hi: number) => lo + (hi - lo) / (1 + Math.exp(-v));

function initial(y: number[], spec: EtsSpec) {
  const m = spec.season;
  const first = y.slice(0, Math.max(m, Math.min(4, y.length)));
  const level = first.reduce((s, v) => s + v, 0) / first.length;
  const seasonal = m > 0 ? y.slice(0, m).map((v) => v - level) : [];
  const slope = spec.trend === 'none' || y.length < 8 ? 0 : (y.slice(4, 8).reduce((s, v) => s + v, 0) - y.slice(0, 4).reduce((s, v) => s + v, 0)) / 16;
  return { level, slope, seasonal };
}

/** Runs the recursions; returns the SSE of one-step errors and the final states. */
function filter(y: number[], spec: EtsSpec, a: number, b: number, phi: number, g: number) {
  let { level, slope, seasonal } = initial(y, spec);
  seasonal = [...seasonal];
  const damped = spec.trend === 'damped';
  let sse = 0;
  for (const v of y) {
    const s = spec.season ? seasonal[0] : 0;
    const e = v - (level + (damped ? phi * slope : 0) + s);
    sse += e * e;
    level = level + (damped ? phi * slope : 0) + a * e;
    if (damped) slope = phi * slope + b * e;
    if (spec.season) seasonal = [...seasonal.slice(1), s + g * e];
  }
  return { sse, level, slope, seasonal };
}

function unpack(x: number[], spec: EtsSpec) {
  const alpha = squash(x[0], 1e-4, 0.9999);
  const beta = spec.trend === 'damped' ? squash(x[1], 1e-4, 1) * alpha : 0;
  const phi = spec.trend === 'damped' ? squash(x[2], 0.8, 0.98) : 1;
  const gamma = spec.season ? squash(x[3], 1e-4, 1) * (1 - alpha) : 0;
  return { alpha, beta, phi, gamma };
}

/** Fits the smoothing parameters by least squares of one-step errors (Nelder–Mead on bounded transforms). */
export function fitEts(y: number[], spec: EtsSpec): EtsFit {
  const objective = (x: number[]) => {
    const p = unpack(x, spec);
    return filter(y, spec, p.alpha, p.beta, p.phi, p.gamma).sse;
  };
  const best = nelderMead(objective, [0, -1, 1, -1], { maxIterations: 400 });
  const p = unpack(best.x, spec);
  const f = filter(y, spec, p.alpha, p.beta, p.phi, p.gamma);
  const k = 1 + (spec.trend === 'damped' ? 2 : 0) + (spec.season ? 1 : 0) + 1 + (spec.trend === 'damped' ? 1 : 0) + spec.season;
  const n = y.length;
  const sigma2 = f.sse / Math.max(n - k, 1);
  const aic = n * Math.log(f.sse / n) + 2 * (k + 1);
  const aicc = n - k - 2 > 0 ? aic + (2 * (k + 1) * (k + 2)) / (n - k - 2) : Infinity;
  return { spec, ...p, level: f.level, slope: f.slope, seasonal: f.seasonal, sigma2, aicc, n };
}

/** Candidate specs for a series of length n: seasonal ones only with two full seasons of history. */
export function candidateSpecs(n: number, season: number): EtsSpec[] {
  const specs: EtsSpec[] = [{ trend: 'none', season: 0 }, { trend: 'damped', season: 0 }];
  if (season > 1 && n >= 2 * season) specs.push({ trend: 'none', season }, { trend: 'damped', season });
  return specs;
}

/** The candidate with the lowest AICc. */
export function selectEts(y: number[], season: number): EtsFit {
  return candidateSpecs(y.length, season).map((s) => fitEts(y, s)).reduce((a, b) => (b.aicc < a.aicc ? b : a));
}

export interface Forecast {
  mean: number[];
  /** Standard deviation of the h-step error, h = 1…H. */
  sd: number[];
}

/** Point forecasts and h-step standard deviations (Hyndman et al. 2008, class 1 additive models). */
export function forecastEts(fit: EtsFit, horizon: number): Forecast {
  const mean: number[] = [];
  const sd: number[] = [];
  let phiSum = 0;
  let varSum = 1;
  for (let h = 1; h <= horizon; h++) {
    phiSum += fit.spec.trend === 'damped' ? fit.phi ** h : 0;
    const s = fit.spec.season ? fit.seasonal[(h - 1) % fit.spec.season] : 0;
    mean.push(fit.level + phiSum * fit.slope + s);
    sd.push(Math.sqrt(fit.sigma2 * varSum));
    const cj = fit.alpha + fit.beta * phiSum + (fit.spec.season && h % fit.spec.season === 0 ? fit.gamma : 0);
    varSum += cj * cj;
  }
  return { mean, sd };
}
