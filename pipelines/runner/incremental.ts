import { sqlString, sqlStringList } from '../../core/duckdb';
import type { BronzeLog } from '../bronze/log';
import type { Engine } from '../engine/engine';
import type { Model } from './models';
import type { Pointer } from './table_store';

/** Partitions rebuilt by this run per model: a set of values, or 'all'. */
export type Rebuilt = Map<string, Set<string> | 'all'>;

/** Bronze partition dates (local event dates) written after `afterBatch` for a feed. */
export function newBronzeDates(log: BronzeLog, feed: string, afterBatch: number): Set<string> {
  const out = new Set<string>();
  for (const c of log.commits) {
    if (c.batch_id <= afterBatch) continue;
    for (const o of c.outputs) {
      const m = o.table === feed ? /date=(\d{4}-\d{2}-\d{2})/.exec(o.path) : null;
      if (m) out.add(m[1]);
    }
  }
  return out;
}

export function parseLookup(spec: string): { name: string; key: string } {
  const m = /^([a-z_][a-z0-9_]*)\(([a-z_][a-z0-9_]*)\)$/.exec(spec)!;
  return { name: m[1], key: m[2] };
}

/**
 * Keys whose rows differ between a lookup's previous version (files) and its new one (the view
 * registered under its name), then the partitions of `current` holding rows with those keys.
 */
export async function partitionsTouchedByLookup(engine: Engine, lookup: { name: string; key: string }, previousFiles: string[], current: { files: string[]; partitionBy: string }): Promise<Set<string>> {
  const prev = `read_parquet(${sqlStringList(previousFiles)}, hive_partitioning = false)`;
  const rows = await engine.query<{ p: string }>(
    `WITH changed AS (
       (SELECT * FROM ${prev} EXCEPT SELECT * FROM ${lookup.name}) UNION (SELECT * FROM ${lookup.name} EXCEPT SELECT * FROM ${prev}))
     SELECT DISTINCT ${current.partitionBy}::VARCHAR AS p FROM read_parquet(${sqlStringList(current.files)}, hive_partitioning = false)
     WHERE ${lookup.key} IN (SELECT ${lookup.key} FROM changed)`,
  );
  return new Set(rows.map((r) => r.p));
}

/**
 * The model's SQL restricted to `partitions`: every bronze input and partitioned-model input is
 * replaced by a subquery keeping only rows of those partitions. Valid because a partitioned model's
 * rows come only from input rows of the same partition value (declared by `partition_by`).
 */
export function restrictSql(m: Model, partitions: Set<string>, partitionOf: (input: string) => string | undefined): string {
  const values = [...partitions].sort().map((v) => `${sqlString(v)}::DATE`).join(', ');
  let sql = m.sql;
  for (const d of m.depends) {
    const col = d.startsWith('bronze_') ? 'date' : partitionOf(d);
    if (!col) continue;
    sql = sql.replace(new RegExp(`\\b(FROM|JOIN)\\s+${d}\\b(?!\\s*\\()`, 'g'), `$1 (SELECT * FROM ${d} WHERE ${col} IN (${values})) AS ${d}`);
  }
  return sql;
}

export function sameInputs(current: Pointer, inputs: Record<string, string>, ignore: Set<string>): boolean {
  const prev = current.inputs ?? {};
  return Object.keys(inputs).every((k) => ignore.has(k) || prev[k] === inputs[k]);
}
