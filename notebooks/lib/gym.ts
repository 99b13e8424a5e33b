// What every notebook opens first: the configured lakehouse (FITLAKE_LAKEHOUSE or fitlake.config.json,
// resolved from the repository root, as the CLI does), its feature store, its run tracker, the context
// trainers get, and SQL over its current silver and gold tables on the configured engine.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../../core/config';
import { DataError } from '../../core/errors';
import { createLogger } from '../../core/logger';
import { lakePaths, type LakePaths } from '../../core/paths';
import { noProgress } from '../../core/progress';
import { openEngine } from '../../pipelines/engine/create';
import type { Row } from '../../pipelines/engine/duckdb/db';
import { registerLakeTables } from '../../pipelines/runner/reader';
import { FeatureStore } from '../../features/store';
import type { TrainContext } from '../../training/trained';
import { createRunTracker } from '../../training/tracking/create';
import type { RunTracker } from '../../training/tracking/run_tracker';

export const REPO = resolve(__dirname, '..', '..');

export interface Gym {
  config: Config;
  paths: LakePaths;
  /** The tables `sql` reads, by name. */
  tables: string[];
  store: FeatureStore;
  tracker: RunTracker;
  /** What a trainer gets: the same store, seed and settings `npm run train` uses (logs warnings only). */
  ctx: TrainContext;
  /** Runs a query over the current silver and gold tables. */
  sql(query: string): Promise<Row[]>;
  close(): Promise<void>;
}

/** Opens the configured lakehouse; it must have been built and trained (`npm run train`). */
export async function openGym(env: NodeJS.ProcessEnv = process.env): Promise<Gym> {
  const config = loadConfig({}, env, REPO);
  const paths = lakePaths(config.lakehouse);
  if (!existsSync(paths.gold)) {
    throw new DataError(`no lakehouse at ${config.lakehouse}: run \`npm run train\` first (or set FITLAKE_LAKEHOUSE)`);
  }
  const logger = createLogger('warn', 'json'); // warnings only: the committed outputs must not depend on a log level
  const store = FeatureStore.open(config, { logger });
  const tracker = createRunTracker(config, env);
  const engine = await openEngine(config.lakehouse, { timezone: config.timezone, duckdb: config.duckdb, engine: config.engine });
  const tables = await registerLakeTables(engine, config.lakehouse);
  const ctx: TrainContext = { store, lakehouse: config.lakehouse, timezone: config.timezone, seed: config.seed, duckdb: config.duckdb, logger, progress: noProgress };
  return {
    config,
    paths,
    tables,
    store,
    tracker,
    ctx,
    sql: (query) => engine.query(query),
    close: async () => {
      engine.close();
      await store.close();
    },
  };
}
