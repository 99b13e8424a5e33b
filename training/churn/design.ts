import { z } from 'zod';
import type { Row } from '../../pipelines/engine/duckdb/db';
import { DataError } from '../../core/errors';

/** How raw feature columns become the model's inputs: standardized numbers and one-hot categories. */
export const DesignSpecSchema = z
  .object({
    numeric: z.array(z.object({ name: z.string(), mean: z.number(), std: z.number() }).strict()),
    categorical: z.array(
      z
        .object({
          name: z.string(),
          levels: z.array(z.string()),
          /** The level dropped as the reference (all-zero indicators); absent in artifacts trained before it was recorded. */
          reference: z.string().optional(),
          /** Share of training rows at each level (the one-hot columns' means): explanations are measured against them. */
          means: z.array(z.number()).optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type DesignSpec = z.infer<typeof DesignSpecSchema>;

/** Input column names, in matrix order: numerics, then `name=level` indicators. */
export function designColumns(spec: DesignSpec): string[] {
  return [...spec.numeric.map((c) => c.name), ...spec.categorical.flatMap((c) => c.levels.map((l) => `${c.name}=${l}`))];
}

/**
 * Learns the design from training rows only: mean/std of each numeric feature (nulls ignored) and
 * the levels of each categorical one, sorted (the first is kept as the reference and dropped), with
 * each kept level's share of the rows.
 */
export function fitDesign(rows: Row[], numeric: string[], categorical: string[]): DesignSpec {
  if (rows.length === 0) throw new DataError('no training rows');
  return {
    numeric: numeric.map((name) => {
      const xs = rows.map((r) => r[name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      const mean = xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
      const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(xs.length - 1, 1);
      return { name, mean, std: Math.sqrt(variance) || 1 };
    }),
    categorical: categorical.map((name) => {
      const counts = new Map<string, number>();
      for (const r of rows) {
        const v = String(r[name] ?? 'unknown');
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const [reference, ...levels] = [...counts.keys()].sort();
      return { name, levels, reference, means: levels.map((l) => counts.get(l)! / rows.length) };
    }),
  };
}

/** The row-major design matrix of `rows`: nulls become the training mean (0 after scaling); unseen levels all-zero. */
export function designMatrix(spec: DesignSpec, rows: Row[]): { X: Float64Array; n: number; d: number } {
  const d = designColumns(spec).length;
  const X = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    let j = i * d;
    for (const c of spec.numeric) {
      const v = r[c.name];
      X[j++] = typeof v === 'number' && Number.isFinite(v) ? (v - c.mean) / c.std : 0;
    }
    for (const c of spec.categorical) {
      const v = String(r[c.name] ?? 'unknown');
      for (const l of c.levels) X[j++] = v === l ? 1 : 0;
    }
  });
  return { X, n: rows.length, d };
}
