import { z } from 'zod';
import { RowShape } from '../../core/row_shape';
import type { Row } from '../../pipelines/engine/duckdb/db';
import { predictLogistic } from '../models/logistic_regression';
import { designMatrix, DesignSpecSchema } from './design';

/** A feature computed from another at scoring time (so the API needs only the raw feature vector). */
export const DerivedSchema = z
  .object({ name: z.string(), input: z.string(), op: z.enum(['lt', 'eq', 'log1p']), value: z.number().optional() })
  .strict();
export type Derived = z.infer<typeof DerivedSchema>;

export const ChurnModelSchema = z
  .object({
    kind: z.literal('churn'),
    formatVersion: z.literal(1),
    featureService: z.string(),
    /** The feature registry version the model was trained on. */
    registryVersion: z.number().int().optional(),
    /** Raw features the model reads, as `view:feature` references (the API fetches exactly these). */
    features: z.array(z.string()),
    derived: z.array(DerivedSchema),
    design: DesignSpecSchema,
    intercept: z.number(),
    coef: z.array(z.number()),
    /** Probability cut-offs of the risk bands (from the training scores' 70th and 90th percentiles). */
    bands: z.object({ medium: z.number(), high: z.number() }).strict(),
    horizonDays: z.number().int(),
    dataVersion: z.string(),
    trainedThrough: z.string(),
  })
  .strict();
export type ChurnModel = z.infer<typeof ChurnModelSchema>;

let lastShape: { id: string; shape: RowShape } | null = null;

/** The compact shape of `row`'s keys plus the derived columns (the last one is reused: rows of one read share their keys). */
function shapeFor(row: Row, derived: Derived[]): RowShape {
  const keys = [...Object.keys(row), ...derived.map((d) => d.name)];
  const id = keys.join('\u0000');
  if (lastShape?.id !== id) lastShape = { id, shape: new RowShape(keys) };
  return lastShape.shape;
}

/** Applies the derived-feature rules to a raw feature row (returns a new row). */
export function withDerived(row: Row, derived: Derived[]): Row {
  const shape = shapeFor(row, derived);
  const out = shape.row((j) => row[shape.keys[j]]);
  for (const d of derived) {
    const v = row[d.input];
    if (typeof v !== 'number' || !Number.isFinite(v)) out[d.name] = null;
    else if (d.op === 'lt') out[d.name] = v < (d.value ?? 0) ? 1 : 0;
    else if (d.op === 'eq') out[d.name] = v === (d.value ?? 0) ? 1 : 0;
    else out[d.name] = Math.log1p(Math.max(v, 0));
  }
  return out;
}

export interface Contribution {
  feature: string;
  value: unknown;
  /**
   * Change in log-odds against an average member, summed per raw feature: standardized input ×
   * coefficient for a number, Σ coefficient × (indicator − training share) over a category's levels.
   */
  contribution: number;
}

export interface ChurnScore {
  probability: number;
  /** The average member's probability: the contributions sum to the log-odds difference from it. */
  averageProbability: number;
  band: 'low' | 'medium' | 'high';
  contributions: Contribution[];
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

interface CompiledChurn {
  /** Raw features, in contribution order. */
  sources: string[];
  numeric: { source: number; input: string; derived?: Derived; mean: number; std: number; coef: number }[];
  /** Per category: each level's coefficient minus the average member's Σ coefficient × share. */
  categorical: { source: number; name: string; coef: Map<string, number>; offset: number }[];
  /** Log-odds of the average member (every number at its mean, every category at its shares). */
  averageLogit: number;
}

const compiled = new WeakMap<ChurnModel, CompiledChurn>();

/** The model as flat arrays (once per model): scoring a row then allocates almost nothing. */
function compile(model: ChurnModel): CompiledChurn {
  const hit = compiled.get(model);
  if (hit) return hit;
  const derived = new Map(model.derived.map((d) => [d.name, d]));
  const sources: string[] = [];
  const sourceIndex = (name: string) => {
    const i = sources.indexOf(name);
    return i >= 0 ? i : sources.push(name) - 1;
  };
  let j = 0;
  const numeric = model.design.numeric.map((c) => {
    const d = derived.get(c.name);
    return { source: sourceIndex(d ? d.input : c.name), input: d ? d.input : c.name, derived: d, mean: c.mean, std: c.std, coef: model.coef[j++] };
  });
  const categorical = model.design.categorical.map((c) => {
    const coef = new Map(c.levels.map((l) => [l, model.coef[j++]]));
    const offset = c.levels.reduce((s, l, i) => s + coef.get(l)! * (c.means?.[i] ?? 0), 0);
    return { source: sourceIndex(c.name), name: c.name, coef, offset };
  });
  const averageLogit = categorical.reduce((s, k) => s + k.offset, model.intercept);
  const out = { sources, numeric, categorical, averageLogit };
  compiled.set(model, out);
  return out;
}

function inputValue(row: Row, c: CompiledChurn['numeric'][number]): number | null {
  const v = row[c.input];
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  const d = c.derived;
  if (!d) return v;
  if (d.op === 'lt') return v < (d.value ?? 0) ? 1 : 0;
  if (d.op === 'eq') return v === (d.value ?? 0) ? 1 : 0;
  return Math.log1p(Math.max(v, 0));
}

/**
 * Scores raw feature rows: probability, risk band and per-feature contributions (largest first),
 * each against the average member, so they sum to the log-odds difference from `averageProbability`.
 * Same arithmetic as designMatrix + coefficients: a missing value is the training mean (zero
 * contribution), an unseen category level is all-zero indicators, a derived feature counts for its input.
 * Artifacts without level shares (trained before them) measure categories against the reference level.
 */
export function scoreChurn(model: ChurnModel, rows: Row[]): ChurnScore[] {
  const c = compile(model);
  return rows.map((row) => {
    const contrib = new Float64Array(c.sources.length);
    let z = c.averageLogit;
    for (const n of c.numeric) {
      const v = inputValue(row, n);
      if (v === null) continue;
      const t = (n.coef * (v - n.mean)) / n.std;
      contrib[n.source] += t;
      z += t;
    }
    for (const k of c.categorical) {
      const t = (k.coef.get(String(row[k.name] ?? 'unknown')) ?? 0) - k.offset;
      contrib[k.source] += t;
      z += t;
    }
    const probability = sigmoid(z);
    const contributions = c.sources.map((feature, i) => ({ feature, value: row[feature] ?? null, contribution: contrib[i] })).sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return { probability, averageProbability: sigmoid(c.averageLogit), band: probability >= model.bands.high ? 'high' : probability >= model.bands.medium ? 'medium' : 'low', contributions };
  });
}

/** Probabilities only (evaluation), without building explanations. */
export function predictChurn(model: ChurnModel, rows: Row[]): Float64Array {
  const { X, n } = designMatrix(model.design, rows.map((r) => withDerived(r, model.derived)));
  return predictLogistic(model, X, n);
}


/**
 * The raw inputs a churn model reads: numbers (derived features count for their input) and
 * categories with the values training saw (`complete`: the reference level is recorded, so these are
 * all of them; older artifacts know only the coded levels).
 */
export function churnInputs(model: ChurnModel): { numeric: string[]; categorical: { name: string; values: string[]; complete: boolean }[] } {
  const c = compile(model);
  return {
    numeric: [...new Set(c.numeric.map((n) => n.input))],
    categorical: model.design.categorical.map((k) => ({ name: k.name, values: k.reference === undefined ? k.levels : [k.reference, ...k.levels].sort(), complete: k.reference !== undefined })),
  };
}
