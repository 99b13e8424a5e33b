import { existsSync } from 'node:fs';
import { DataError } from '../../core/errors';
import { type Db } from '../engine/duckdb/db';
import { sqlIdent, sqlStringList } from '../sql/quote';
import { lakePaths } from '../../core/paths';
import type { Engine } from '../engine/engine';
import { TableStore } from './table_store';

/**
 * Current silver and gold tables, by layer, as absolute Parquet paths (one per partition when
 * partitioned): each layer from one read of its manifest, so all its tables are of one version.
 * A data file the manifest names but the disk lacks is a DataError saying how to repair.
 */
export function lakeTables(root: string): Record<'silver' | 'gold', Record<string, string[]>> {
  const paths = lakePaths(root);
  const out: Record<'silver' | 'gold', Record<string, string[]>> = { silver: {}, gold: {} };
  for (const layer of ['silver', 'gold'] as const) {
    const store = new TableStore(paths[layer]);
    for (const [table, pointer] of Object.entries(store.snapshot()).sort(([a], [b]) => a.localeCompare(b))) {
      const files = store.files(pointer);
      const missing = files.find((f) => !existsSync(f));
      if (missing) throw new DataError(`${layer} table ${table} is damaged: its data file ${missing} is missing (run \`fitlake pipeline run --full-refresh\` to rebuild it)`);
      out[layer][table] = files;
    }
  }
  return out;
}

/** Makes every current silver and gold table readable by its name on `engine`; returns the names. */
export async function registerLakeTables(engine: Engine, root: string): Promise<string[]> {
  const tables = lakeTables(root);
  const names: string[] = [];
  for (const layer of ['silver', 'gold'] as const) {
    for (const [name, files] of Object.entries(tables[layer])) {
      await engine.registerParquet(name, files);
      names.push(name);
    }
  }
  return names;
}

/** Creates a view per current silver/gold table (named as the table), for notebooks, tests and tools. */
export async function createLakeViews(db: Db, root: string): Promise<string[]> {
  const tables = lakeTables(root);
  const names: string[] = [];
  for (const layer of ['silver', 'gold'] as const) {
    for (const [name, files] of Object.entries(tables[layer])) {
      await db.run(`CREATE OR REPLACE VIEW ${sqlIdent(name)} AS SELECT * FROM read_parquet(${sqlStringList(files)}, hive_partitioning = false)`);
      names.push(name);
    }
  }
  return names;
}
