import type { Config } from '../../core/config';
import type { BronzeLog } from '../bronze/log';
import { DuckDbEngine } from './duckdb/duckdb_engine';
import type { Engine } from './engine';
import { SparkEngine, type SparkSettings } from './spark/spark_engine';

/** What opening an engine needs from the configuration. */
export type EngineSettings = Pick<Config, 'timezone' | 'duckdb'> & { engine?: Config['engine'] };

/**
 * Opens the configured engine (`engine.type`) over the lakehouse at `root`, with the fitlake SQL
 * functions and bronze views over `opts.bronze` (a snapshot the caller read; the log as it is now
 * when none is given). The one place engines are created.
 */
export async function openEngine(root: string, settings: EngineSettings, opts: { bronze?: BronzeLog } = {}): Promise<Engine> {
  const type = settings.engine?.type ?? 'duckdb';
  switch (type) {
    case 'duckdb':
      return DuckDbEngine.open(root, settings.timezone, { duckdb: settings.duckdb, ...opts });
    case 'spark':
      return SparkEngine.open(root, settings.timezone, settings.engine as SparkSettings, opts);
  }
}
