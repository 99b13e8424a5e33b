import { z } from 'zod';
import type { Row } from '../../core/duckdb';
import { predictLogistic } from '../models/logistic_regression';
import { designColumns, designMatrix, DesignSpecSchema } from './design';

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

/** Applies the derived-feature rules to a raw feature row (returns a new row). */
export function withDerived(row: Row, derived: Derived[]): Row {
  const out: Row = { ...row };
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
  /** Change in log-odds against an average member (standardized input × coefficient, summed per raw feature). */
  contribution: number;
}

export interface ChurnScore {
  probability: number;
  band: 'low' | 'medium' | 'high';
  contributions: Contribution[];
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Which raw feature each design column comes from (derived features map back to their input). */
function sources(model: ChurnModel): string[] {
  const origin = new Map(model.derived.map((d) => [d.name, d.input]));
  const spec = model.design;
  return [...spec.numeric.map((c) => c.name), ...spec.categorical.flatMap((c) => c.levels.map(() => c.name))].map((n) => origin.get(n) ?? n);
}

/** Scores raw feature rows: probability, risk band and per-feature contributions (largest first). */
export function scoreChurn(model: ChurnModel, rows: Row[]): ChurnScore[] {
  const spec = model.design;
  const { X, d } = designMatrix(spec, rows.map((r) => withDerived(r, model.derived)));
  const src = sources(model);
  return rows.map((row, i) => {
    let z = model.intercept;
    const byFeature = new Map<string, number>();
    for (let j = 0; j < d; j++) {
      const c = model.coef[j] * X[i * d + j];
      z += c;
      byFeature.set(src[j], (byFeature.get(src[j]) ?? 0) + c);
    }
    const probability = sigmoid(z);
    const contributions = [...byFeature].map(([feature, contribution]) => ({ feature, value: row[feature] ?? null, contribution })).sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return { probability, band: probability >= model.bands.high ? 'high' : probability >= model.bands.medium ? 'medium' : 'low', contributions };
  });
}

/** Probabilities only (evaluation), without building explanations. */
export function predictChurn(model: ChurnModel, rows: Row[]): Float64Array {
  const { X, n } = designMatrix(model.design, rows.map((r) => withDerived(r, model.derived)));
  return predictLogistic(model, X, n);
}

export { designColumns };
