import { z } from 'zod';
import type { FeatureStore } from '../features/store';

/**
 * What an artifact records of the features it was trained on (optional: artifacts from before the
 * store fed the model still load). Serving refuses a model whose features the registry no longer declares.
 */
export const TrainedOnFields = {
  featureService: z.string().optional(),
  registryVersion: z.number().int().optional(),
  /** Every `view:feature` the service resolved to when the model was trained. */
  features: z.array(z.string()).optional(),
};

export interface TrainedOn {
  featureService: string;
  registryVersion: number;
  features: string[];
}

/** The service as the store's applied registry resolves it now: its name, the registry version and its `view:feature` refs. */
export function trainedOn(store: FeatureStore, service: string): TrainedOn {
  const features = store.resolve({ service }).flatMap((s) => s.features.map((f) => `${s.view.name}:${f.name}`));
  return { featureService: service, registryVersion: store.registry().version, features };
}

/** The run tags that say which features a model read. */
export function trainedOnTags(t: TrainedOn): Record<string, string> {
  return { 'fitlake.feature_service': t.featureService, 'fitlake.registry_version': String(t.registryVersion), 'fitlake.features': t.features.join(',') };
}
