import { DataError } from '../../core/errors';
import { isDeltaTable, latestDeltaVersion, readDeltaSnapshot, type DeltaSnapshot } from '../delta/delta_log';
import type { Engine, TableCommit } from '../engine/engine';
import type { Rebuilt } from './incremental';
import type { Pointer, TableStore } from './table_store';

/**
 * Commits a layer's built tables to their Delta tables (engines whose `tableFormat` is `delta`), after
 * the quality gate passed, and returns the pointers to swap in: each naming the Delta version it
 * committed and that version's live files, read back from the table's log. A partially rebuilt table
 * replaces only its rebuilt partitions (`replaceWhere`), provided its Delta table is still at the
 * version the layer names; otherwise it is rewritten whole. A crash before a table's commit leaves it
 * at its previous Delta version; the layer manifest, swapped after every commit, keeps readers on the
 * previous versions of all tables until then.
 */
export async function commitToDelta(engine: Engine, store: TableStore, staged: readonly Pointer[], rebuilt: Rebuilt, message: string): Promise<Pointer[]> {
  const plans = staged.map((p) => plan(store, p, rebuilt.get(p.table)));
  const todo = plans.filter((x): x is { pointer: Pointer; commit: TableCommit } => x.commit !== null);
  const versions = await engine.commitTables(
    todo.map((x) => x.commit),
    message,
  );
  const committed = new Map(todo.map((x, i) => [x.pointer.table, versions[i]]));
  const out: Pointer[] = [];
  for (const { pointer } of plans) {
    const version = committed.get(pointer.table);
    if (version === undefined) out.push({ ...pointer, format: 'delta', delta_version: store.current(pointer.table)!.delta_version });
    else if (version === null) out.push(pointer);
    else out.push(fromSnapshot(pointer, await readDeltaSnapshot(store.tableDir(pointer.table), version)));
  }
  return out;
}

function plan(store: TableStore, p: Pointer, rebuilt: Set<string> | 'all' | undefined): { pointer: Pointer; commit: TableCommit | null } {
  const dir = store.tableDir(p.table);
  const current = store.current(p.table);
  const inPlace = current?.format === 'delta' && isDeltaTable(dir) && latestDeltaVersion(dir) === current.delta_version;
  const partial = p.partitions && rebuilt instanceof Set && inPlace ? rebuilt : null;
  if (partial && partial.size === 0) return { pointer: p, commit: null };
  const files = partial ? store.files({ ...p, partitions: Object.fromEntries([...partial].filter((v) => p.partitions![v]).map((v) => [v, p.partitions![v]])) }) : store.files(p);
  return { pointer: p, commit: { dir, files, partitionBy: p.partition_by, ...(partial ? { replace: [...partial].sort() } : {}) } };
}

/** The pointer rewritten to a committed Delta version: its live files, the built version's row counts. */
function fromSnapshot(p: Pointer, snap: DeltaSnapshot): Pointer {
  const counted = snap.files.every((f) => f.rows !== null) ? snap.files.reduce((a, f) => a + f.rows!, 0) : p.rows;
  if (counted !== p.rows) throw new DataError(`Delta table ${p.table} version ${snap.version} holds ${counted} rows where ${p.rows} were built`);
  const base = { ...p, format: 'delta' as const, delta_version: snap.version, file: '' };
  if (!p.partitions) return { ...base, files: snap.files.map((f) => f.path) };
  const partitions: NonNullable<Pointer['partitions']> = {};
  for (const f of snap.files) {
    const value = f.partitionValues[p.partition_by!];
    if (value === null || value === undefined) throw new DataError(`Delta table ${p.table} version ${snap.version}: ${f.path} has no ${p.partition_by} value`);
    (partitions[value] ??= { files: [], rows: p.partitions[value]?.rows ?? 0 }).files.push(f.path);
  }
  return { ...base, partitions };
}
