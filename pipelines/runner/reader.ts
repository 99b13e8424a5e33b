import { existsSync, readdirSync } from 'node:fs';

import { sqlIdent, sqlStringList, type Db } from '../../core/duckdb';
import { lakePaths } from '../../core/paths';
import { TableStore } from './table_store';

/** Current silver and gold tables, by layer, as absolute Parquet paths (one per partition when partitioned). */
export function lakeTables(root: string): Record<'silver' | 'gold', Record<string, string[]>> {
  const paths = lakePaths(root);
  const out: Record<'silver' | 'gold', Record<string, string[]>> = { silver: {}, gold: {} };
  for (const layer of ['silver', 'gold'] as const) {
    const dir = paths[layer];
    if (!existsSync(dir)) continue;
    const store = new TableStore(dir);
    for (const table of readdirSync(dir).sort()) {
      const files = store.currentFiles(table);
      if (files) out[layer][table] = files;
    }
  }
  return out;
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
