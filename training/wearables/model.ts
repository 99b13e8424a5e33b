import { z } from 'zod';
import type { Row } from '../../pipelines/engine/duckdb/db';
import { designMatrix, DesignSpecSchema } from '../churn/design';
import { mlpProbabilities } from '../models/mlp';

const Design = DesignSpecSchema;

/** A one-hidden-layer perceptron over the same standardized inputs (see `training/models/mlp.ts`). */
const MlpSchema = z.object({ hidden: z.number().int().positive(), w1: z.array(z.number()), b1: z.array(z.number()), w2: z.array(z.number()), b2: z.array(z.number()) }).strict();

export const ActivityClassifierSchema = z
  .object({
    kind: z.literal('activity-classifier'),
    formatVersion: z.literal(1),
    design: Design,
    classes: z.array(z.string()),
    /** One-vs-rest logistic regression (used when there is no `mlp`). */
    intercepts: z.array(z.number()),
    coef: z.array(z.array(z.number())),
    /** Present when the perceptron won on held-out members: it then classifies. */
    mlp: MlpSchema.optional(),
    dataVersion: z.string(),
    trainedThrough: z.string(),
  })
  .strict();
export type ActivityClassifier = z.infer<typeof ActivityClassifierSchema>;

export const CalorieRegressorSchema = z
  .object({ kind: z.literal('calorie-regressor'), formatVersion: z.literal(1), design: Design, intercept: z.number(), coef: z.array(z.number()), dataVersion: z.string(), trainedThrough: z.string() })
  .strict();
export type CalorieRegressor = z.infer<typeof CalorieRegressorSchema>;

/** Class probabilities of each wearable day summary: the perceptron's softmax, else one-vs-rest logistic scores normalized. */
export function classifyActivity(model: ActivityClassifier, rows: Row[]): { label: string; probabilities: number[] }[] {
  const { X, n, d } = designMatrix(model.design, rows);
  const k = model.classes.length;
  const mlp = model.mlp ? mlpProbabilities(model.mlp, X, n, d) : null;
  return Array.from({ length: n }, (_, i) => {
    if (mlp) {
      const probabilities = Array.from(mlp.subarray(i * k, (i + 1) * k));
      return { label: model.classes[probabilities.indexOf(Math.max(...probabilities))], probabilities };
    }
    const raw = model.classes.map((_, c) => {
      let z = model.intercepts[c];
      for (let j = 0; j < d; j++) z += model.coef[c][j] * X[i * d + j];
      return 1 / (1 + Math.exp(-z));
    });
    const total = raw.reduce((a, b) => a + b, 0);
    const probabilities = raw.map((p) => p / total);
    return { label: model.classes[probabilities.indexOf(Math.max(...probabilities))], probabilities };
  });
}

export function predictCalories(model: CalorieRegressor, rows: Row[]): Float64Array {
  const { X, n, d } = designMatrix(model.design, rows);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = model.intercept;
    for (let j = 0; j < d; j++) s += model.coef[j] * X[i * d + j];
    out[i] = s;
  }
  return out;
}
