import { z } from 'zod';
import type { Row } from '../../pipelines/engine/duckdb/db';
import { designMatrix, DesignSpecSchema } from '../churn/design';
import { nearest } from '../models/kmeans';

export const SegmentationModelSchema = z
  .object({
    kind: z.literal('segmentation'),
    formatVersion: z.literal(1),
    featureService: z.string(),
    features: z.array(z.string()),
    design: DesignSpecSchema,
    k: z.number().int().min(2),
    /** Row-major k × features, in standardized units. */
    centroids: z.array(z.number()),
    segments: z.array(z.object({ id: z.number().int(), name: z.string(), size: z.number().int(), means: z.record(z.string(), z.number()) }).strict()),
    dataVersion: z.string(),
    trainedThrough: z.string(),
  })
  .strict();
export type SegmentationModel = z.infer<typeof SegmentationModelSchema>;

/** The segment (nearest centroid) of each raw feature row. */
export function assignSegments(model: SegmentationModel, rows: Row[]): { id: number; name: string }[] {
  const { X, n, d } = designMatrix(model.design, rows);
  const C = Float64Array.from(model.centroids);
  return Array.from({ length: n }, (_, i) => {
    const c = nearest(X, i, C, model.k, d);
    return { id: c, name: model.segments[c].name };
  });
}
