import { Rng } from '../../pipelines/data_gen/rng';

/** A one-hidden-layer perceptron (ReLU, softmax output): weights row-major, float64. */
export interface Mlp {
  hidden: number;
  /** hidden × inputs, then hidden biases; classes × hidden, then class biases. */
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number[];
}

export interface MlpOptions {
  hidden: number;
  epochs: number;
  batch: number;
  learningRate: number;
  /** L2 penalty on the weights (not the biases). */
  l2: number;
  seed: number;
}

/** Hidden activations and class probabilities of row `i` of X (n × d), written into `h` and `p`. */
function forward(m: { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array }, X: Float64Array, i: number, d: number, h: Float64Array, p: Float64Array): void {
  const H = h.length;
  for (let a = 0; a < H; a++) {
    let z = m.b1[a];
    for (let j = 0; j < d; j++) z += m.w1[a * d + j] * X[i * d + j];
    h[a] = z > 0 ? z : 0;
  }
  let max = -Infinity;
  for (let c = 0; c < p.length; c++) {
    let z = m.b2[c];
    for (let a = 0; a < H; a++) z += m.w2[c * H + a] * h[a];
    p[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < p.length; c++) sum += p[c] = Math.exp(p[c] - max);
  for (let c = 0; c < p.length; c++) p[c] /= sum;
}

/**
 * Fits the perceptron to class indexes `y` by mini-batch Adam on the mean cross-entropy (He
 * initialisation, rows shuffled each epoch, all from `seed`: same data, same weights). Returns the
 * weights and the training loss per epoch.
 */
export function fitMlp(X: Float64Array, y: Int32Array, n: number, d: number, classes: number, o: MlpOptions): Mlp & { losses: number[] } {
  const rng = new Rng(o.seed);
  const H = o.hidden;
  const params = [new Float64Array(H * d), new Float64Array(H), new Float64Array(classes * H), new Float64Array(classes)];
  params[0].forEach((_, i) => (params[0][i] = rng.normal(0, Math.sqrt(2 / d))));
  params[2].forEach((_, i) => (params[2][i] = rng.normal(0, Math.sqrt(2 / H))));
  const [w1, b1, w2, b2] = params;
  const grads = params.map((p) => new Float64Array(p.length));
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const h = new Float64Array(H);
  const p = new Float64Array(classes);
  const dh = new Float64Array(H);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const losses: number[] = [];
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let loss = 0;
    for (let start = 0; start < n; start += o.batch) {
      const end = Math.min(n, start + o.batch);
      grads.forEach((g) => g.fill(0));
      for (let t = start; t < end; t++) {
        const i = order[t];
        forward({ w1, b1, w2, b2 }, X, i, d, h, p);
        loss -= Math.log(Math.max(p[y[i]], 1e-12));
        dh.fill(0);
        for (let c = 0; c < classes; c++) {
          const e = p[c] - (c === y[i] ? 1 : 0);
          grads[3][c] += e;
          for (let a = 0; a < H; a++) {
            grads[2][c * H + a] += e * h[a];
            dh[a] += e * w2[c * H + a];
          }
        }
        for (let a = 0; a < H; a++) {
          if (h[a] <= 0) continue;
          grads[1][a] += dh[a];
          for (let j = 0; j < d; j++) grads[0][a * d + j] += dh[a] * X[i * d + j];
        }
      }
      step++;
      const scale = 1 / (end - start);
      params.forEach((w, k) => {
        const g = grads[k];
        const weights = k === 0 || k === 2;
        for (let q = 0; q < w.length; q++) {
          const gq = g[q] * scale + (weights ? o.l2 * w[q] : 0);
          m1[k][q] = 0.9 * m1[k][q] + 0.1 * gq;
          m2[k][q] = 0.999 * m2[k][q] + 0.001 * gq * gq;
          w[q] -= (o.learningRate * (m1[k][q] / (1 - 0.9 ** step))) / (Math.sqrt(m2[k][q] / (1 - 0.999 ** step)) + 1e-8);
        }
      });
    }
    losses.push(loss / n);
  }
  return { hidden: H, w1: Array.from(w1), b1: Array.from(b1), w2: Array.from(w2), b2: Array.from(b2), losses };
}

/** Class probabilities (n × classes, row-major) of the rows of X. */
export function mlpProbabilities(m: Mlp, X: Float64Array, n: number, d: number): Float64Array {
  const classes = m.b2.length;
  const w = { w1: Float64Array.from(m.w1), b1: Float64Array.from(m.b1), w2: Float64Array.from(m.w2), b2: Float64Array.from(m.b2) };
  const h = new Float64Array(m.hidden);
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) forward(w, X, i, d, h, out.subarray(i * classes, (i + 1) * classes));
  return out;
}
