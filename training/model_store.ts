import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic_fs';

export const MODEL_FILE = 'model.json';

/** Canonical JSON of an artifact (stable key order), so the same model always has the same bytes and hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

export function artifactSha(json: string): string {
  return createHash('sha256').update(json).digest('hex');
}

/**
 * Keeps every trained artifact on local disk, before any tracking call, at
 * `<lakehouse>/models/<name>/<sha12>/model.json` (+ metrics.json): a tracking server that is down never
 * loses a model. Content-addressed, so re-training identical data writes nothing new.
 */
export function saveLocalModel(lakehouse: string, name: string, json: string, metrics: Record<string, number>): string {
  const dir = join(lakehouse, 'models', name, artifactSha(json).slice(0, 12));
  if (!existsSync(join(dir, MODEL_FILE))) {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, 'metrics.json'), JSON.stringify(metrics, null, 1) + '\n');
    writeFileAtomic(join(dir, MODEL_FILE), json);
  }
  return dir;
}
