import { join } from 'node:path';
import { NotFoundError, ValidationError } from '../../core/errors';
import { lakePaths } from '../../core/paths';
import { isDeltaTable, readDeltaHistory, readDeltaSnapshot } from '../delta/delta_log';
import { TableStore, type Pointer } from './table_store';

/** One version of a silver or gold table, as `fitlake pipeline history` lists it. */
export interface TableVersion {
  version: number;
  timestamp: string;
  /** What made it: `WRITE (Overwrite)`, `WRITE (Overwrite where …)`, `DELETE`, … */
  operation: string;
  /** Rows the commit wrote (all rows for a whole rewrite; the replaced partitions' otherwise). */
  rowsWritten: number | null;
  /** The pipeline run that committed it. */
  run: string | null;
  /** The version the layer manifest names: what every fitlake reader sees now. */
  current: boolean;
}

export interface TableHistory {
  table: string;
  layer: 'silver' | 'gold';
  format: 'delta' | 'files';
  versions: TableVersion[];
}

function locate(root: string, table: string): { layer: 'silver' | 'gold'; store: TableStore; pointer: Pointer } {
  const paths = lakePaths(root);
  const known: string[] = [];
  for (const layer of ['silver', 'gold'] as const) {
    const store = new TableStore(paths[layer]);
    const pointer = store.current(table);
    if (pointer) return { layer, store, pointer };
    known.push(...Object.keys(store.snapshot()));
  }
  throw new NotFoundError(`no silver or gold table ${table}${known.length ? `; tables: ${known.sort().join(', ')}` : ': run `fitlake pipeline run` first'}`, 'table');
}

function runOf(userMetadata: string | null): string | null {
  try {
    return userMetadata ? ((JSON.parse(userMetadata) as { fitlake_run?: string }).fitlake_run ?? null) : null;
  } catch {
    return null;
  }
}

/**
 * A table's versions: a Delta table's every commit still in its log (Spark engine), or the one
 * current version of a table the DuckDB engine keeps as files.
 */
export function tableHistory(root: string, table: string): TableHistory {
  const { layer, store, pointer } = locate(root, table);
  const dir = store.tableDir(table);
  if (pointer.format !== 'delta' || !isDeltaTable(dir)) {
    return { table, layer, format: 'files', versions: [{ version: pointer.version, timestamp: pointer.built_at, operation: 'BUILD', rowsWritten: pointer.rows, run: null, current: true }] };
  }
  const versions = readDeltaHistory(dir).map((c) => {
    const predicate = typeof c.parameters.predicate === 'string' ? ` where ${c.parameters.predicate}` : '';
    const mode = typeof c.parameters.mode === 'string' ? ` (${c.parameters.mode}${predicate})` : predicate;
    const rows = c.metrics.numOutputRows ?? c.metrics.numDeletedRows;
    return { version: c.version, timestamp: c.timestamp, operation: `${c.operation}${mode}`, rowsWritten: rows === undefined ? null : Number(rows), run: runOf(c.userMetadata), current: c.version === pointer.delta_version };
  });
  return { table, layer, format: 'delta', versions };
}

/**
 * The data files of a table at `version` (default: the current one): any version a Delta table's
 * log still holds (time travel), or the current version of a DuckDB-built table.
 */
export async function tableFilesAt(root: string, table: string, version?: number): Promise<{ version: number; files: string[] }> {
  const { store, pointer } = locate(root, table);
  const dir = store.tableDir(table);
  if (pointer.format === 'delta' && isDeltaTable(dir)) {
    const snap = await readDeltaSnapshot(dir, version ?? pointer.delta_version);
    return { version: snap.version, files: snap.files.map((f) => join(dir, f.path)) };
  }
  if (version !== undefined && version !== pointer.version) {
    throw new ValidationError(`--version ${version}: ${table} was built by the DuckDB engine, which keeps no history; its version is ${pointer.version} (Delta tables, built with --engine spark, keep every version)`, 'version');
  }
  return { version: pointer.version, files: store.files(pointer) };
}
