import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConflictError, DataError, NotFoundError } from '../core/errors';
import { ChurnModelSchema } from './churn/model';
import { ForecastModelSchema } from './forecast/model';
import { MODEL_FILE } from './model_store';
import { RecommenderModelSchema } from './recommend/model';
import { VERSION_TAGS } from './registry/promotion';
import { SegmentationModelSchema } from './segmentation/model';
import type { ModelVersion, RunTracker } from './tracking/run_tracker';
import { ActivityClassifierSchema, CalorieRegressorSchema } from './wearables/model';

/** Every artifact kind, validated by its schema: what serving can load without any training code's data. */
export const ArtifactSchema = z.discriminatedUnion('kind', [ChurnModelSchema, RecommenderModelSchema, ForecastModelSchema, SegmentationModelSchema, ActivityClassifierSchema, CalorieRegressorSchema]);
export type Artifact = z.infer<typeof ArtifactSchema>;
export type ArtifactOf<K extends Artifact['kind']> = Extract<Artifact, { kind: K }>;

/** Parses and validates an artifact's JSON, optionally insisting on its kind. */
export function parseArtifact<K extends Artifact['kind']>(json: string, where: string, kind?: K): ArtifactOf<K> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new DataError(`${where}: not JSON: ${(e as Error).message}`, e);
  }
  const parsed = ArtifactSchema.safeParse(raw);
  if (!parsed.success) throw new DataError(`${where}: not a valid model artifact: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  if (kind && parsed.data.kind !== kind) throw new DataError(`${where}: expected a ${kind} model, found ${parsed.data.kind}`);
  return parsed.data as ArtifactOf<K>;
}

export interface LoadedModel<K extends Artifact['kind']> {
  version: ModelVersion;
  artifact: ArtifactOf<K>;
}

/** The registered version `alias` (default champion) of model `name`, downloaded and validated. */
export async function loadRegisteredModel<K extends Artifact['kind']>(tracker: RunTracker, name: string, kind: K, alias = 'champion'): Promise<LoadedModel<K>> {
  const version = await tracker.getVersionByAlias(name, alias);
  if (!version) throw new NotFoundError(`model ${name} has no "${alias}" version in ${tracker.location}; run npm run train`);
  return { version, artifact: await loadModelVersion(tracker, version, kind) };
}

/** Refuses a registered version trained on another lakehouse (its `fitlake.lakehouse_id` tag differs or is absent). */
export function checkLakehouse(version: ModelVersion, expected: string): void {
  const trainedOn = version.tags[VERSION_TAGS.lakehouse];
  if (trainedOn === expected) return;
  throw new ConflictError(
    `${version.name} v${version.version} was trained on ${trainedOn ? `lakehouse ${trainedOn}` : 'an unknown lakehouse'}, not this one (${expected}); train on this lakehouse (npm run train) or point the tracking store at its own registry`,
  );
}

/** The artifact of one already resolved registry version (resolve an alias once, then load what it named). */
export async function loadModelVersion<K extends Artifact['kind']>(tracker: RunTracker, version: ModelVersion, kind: K): Promise<ArtifactOf<K>> {
  const json = (await tracker.readModelFile(version, MODEL_FILE)).toString('utf8');
  return parseArtifact(json, `${version.name} v${version.version}`, kind);
}

/** An artifact from a local model folder (`<lakehouse>/models/<name>/<sha>/`). */
export function loadLocalModel<K extends Artifact['kind']>(dir: string, kind: K): ArtifactOf<K> {
  return parseArtifact(readFileSync(join(dir, MODEL_FILE), 'utf8'), dir, kind);
}
