import { join } from 'node:path';
import { loadConfig, type Config } from '../../core/config';
import { Db } from '../../core/duckdb';
import { silentLogger } from '../../core/logger';
import { noProgress } from '../../core/progress';
import { FeatureStore } from '../../features/store';
import { ingestBronze } from '../../pipelines/bronze/ingest';
import { runMedallion } from '../../pipelines/runner/medallion';
import { FileRunTracker } from '../../training/tracking/file_tracker';
import { trainModels } from '../../training/train';
import { TRAINERS } from '../../training/trainers';
import { generateInto, TZ } from '../helpers';

/**
 * A lakehouse with trained, registered models for the serving tests: 600 members × 180 days, the
 * served models trained into a file registry, and `champion` set on version 1 of each (an operator's
 * choice where a small model fails its release gates).
 */
export async function servingLake(root: string): Promise<{ config: Config; tracker: FileRunTracker }> {
  generateInto(root, { days: 180, members: 600 });
  const db = await Db.open();
  await ingestBronze(root, { timezone: TZ, maxFilesPerBatch: 1000 }, { db, logger: silentLogger });
  db.close();
  await runMedallion(root, { timezone: TZ, fullRefresh: false }, { logger: silentLogger });
  const config = loadConfig({ lakehouse: root, timezone: TZ, logLevel: 'silent', tracking: { type: 'file', dir: join(root, 'mlruns') } }, {}, root);
  const store = FeatureStore.open(config, { logger: silentLogger });
  store.apply();
  await store.materialize();
  const tracker = new FileRunTracker(join(root, 'mlruns'));
  const names = ['churn', 'recommender-classes', 'recommender-products', 'supplement-forecast'];
  const { skipped } = await trainModels({ store, lakehouse: root, timezone: TZ, seed: 42, duckdb: config.duckdb, logger: silentLogger, progress: noProgress }, tracker, names.map((n) => [n, TRAINERS[n]]));
  if (skipped.length) throw new Error(`serving lake: ${skipped.map((m) => m.reason).join('; ')}`);
  for (const n of names) await tracker.setAlias(n, 'champion', '1');
  await store.close();
  return { config, tracker };
}
