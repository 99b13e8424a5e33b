import type { Config } from '../core/config';
import { Db } from '../pipelines/engine/duckdb/db';
import type { Logger } from '../core/logger';
import type { Progress } from '../core/progress';
import type { FeatureStore } from '../features/store';
import { ingestBronze } from '../pipelines/bronze/ingest';
import { generate, readManifest } from '../pipelines/data_gen/generate';
import { DEFAULT_DIRT, DEFAULT_START, SCALE_PRESETS } from '../pipelines/data_gen/options';
import { runMedallion } from '../pipelines/runner/medallion';

export interface Prepared {
  generated: boolean;
  ingestedFiles: number;
  tablesBuilt: number;
  materializedViews: number;
}

/**
 * Everything `npm run train` needs before fitting, each step a no-op when already done: generate
 * synthetic data at the configured scale when the lakehouse has none, ingest new landing files,
 * rebuild stale silver/gold tables, register the feature definitions and materialize new days.
 */
export async function prepareData(config: Config, store: FeatureStore, deps: { logger: Logger; progress: Progress }): Promise<Prepared> {
  let generated = false;
  if (!readManifest(config.lakehouse)) {
    const preset = SCALE_PRESETS[config.scale];
    deps.logger.info({ scale: config.scale, lakehouse: config.lakehouse }, 'no data yet: generating a synthetic gym');
    await generate(config.lakehouse, { seed: config.seed, ...preset, start: DEFAULT_START, timezone: config.timezone, dirt: DEFAULT_DIRT }, deps);
    generated = true;
  }
  const db = await Db.fromConfig(config);
  let ingestedFiles = 0;
  try {
    ingestedFiles = (await ingestBronze(config.lakehouse, { timezone: config.timezone, maxFilesPerBatch: 1000 }, { db, ...deps })).files;
  } finally {
    db.close();
  }
  const medallion = await runMedallion(config.lakehouse, { timezone: config.timezone, fullRefresh: false, duckdb: config.duckdb, engine: config.engine }, deps);
  store.apply();
  const m = await store.materialize({ incremental: true });
  return { generated, ingestedFiles, tablesBuilt: medallion.steps.filter((s) => s.action === 'built').length, materializedViews: m.views.length };
}
