import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createExclusive } from './atomic_fs';
import { readJsonFile } from './json';

/** Every location under the lakehouse root, in one place. */
export function lakePaths(root: string) {
  return {
    root,
    landing: join(root, 'landing'),
    truth: join(root, '_truth'),
    bronze: join(root, 'bronze'),
    bronzeLog: join(root, 'bronze', '_log'),
    bronzeStaging: join(root, 'bronze', '_staging'),
    bronzeQuarantine: join(root, 'bronze', '_quarantine'),
    silver: join(root, 'silver'),
    gold: join(root, 'gold'),
  };
}
export type LakePaths = ReturnType<typeof lakePaths>;

const IdSchema = z.object({ id: z.string().uuid(), created_at: z.string() }).strict();

/**
 * The lakehouse's identity (`<root>/_lakehouse.json`, created once, atomically, on first use): models
 * record the lakehouse they were trained on, and serving refuses a model from another one. A copy of
 * the folder keeps the identity; a lakehouse built anew gets a new one.
 */
export function lakehouseId(root: string): string {
  const path = join(root, '_lakehouse.json');
  if (!existsSync(path)) createExclusive(path, JSON.stringify({ id: randomUUID(), created_at: new Date().toISOString() }) + '\n');
  return readJsonFile(path, IdSchema, 'lakehouse identity file', 'delete it to make a new identity; models trained before then will need retraining').id;
}
