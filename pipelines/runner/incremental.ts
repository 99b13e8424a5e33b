import { sqlString } from '../sql/quote';
import type { BronzeLog } from '../bronze/log';
import type { Engine } from '../engine/engine';
import type { Model } from './models';
import type { Pointer } from './table_store';

const KEYWORDS = 'ON|USING|WHERE|GROUP|ORDER|LEFT|RIGHT|FULL|INNER|CROSS|JOIN|WINDOW|QUALIFY|UNION|LIMIT|HAVING|LATERAL|NATURAL';

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

/** The partition value (a date) covering `date` at a grain: the day, its ISO week's Monday, or the 1st of its month. */
export function toGrain(date: string, grain: Model['partition_grain']): string {
  if (grain === 'day') return date;
  if (grain === 'month') return `${date.slice(0, 7)}-01`;
  const d = new Date(`${date}T00:00:00Z`);
  return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86400000).toISOString().slice(0, 10);
}

export function parseLookup(spec: string): { name: string; key: string } {
  const m = /^([a-z_][a-z0-9_]*)\(([a-z_][a-z0-9_]*)\)$/.exec(spec)!;
  return { name: m[1], key: m[2] };
}

/**
 * Keys whose rows differ between a lookup's previous version (files) and its new one (the view
 * registered under its name), then the partitions of `current` holding rows with those keys. A
 * lookup keyed by the partition column itself (a calendar) touches exactly the partitions of its
 * changed keys.
 */
export async function partitionsTouchedByLookup(
  engine: Engine,
  lookup: { name: string; key: string },
  previousFiles: string[],
  current: { files: string[]; partitionBy: string; grain: Model['partition_grain'] },
): Promise<Set<string>> {
  await engine.registerParquet('_fitlake_previous', previousFiles);
  await engine.registerParquet('_fitlake_current', current.files);
  const prev = '_fitlake_previous';
  const changed = `(SELECT * FROM ${prev} EXCEPT SELECT * FROM ${lookup.name}) UNION (SELECT * FROM ${lookup.name} EXCEPT SELECT * FROM ${prev})`;
  const rows = await engine.query<{ p: string }>(
    lookup.key === current.partitionBy || current.grain !== 'day'
      ? `SELECT DISTINCT date_trunc('${current.grain}', ${lookup.key})::DATE::VARCHAR AS p FROM (${changed})`
      : `WITH changed AS (${changed})
     SELECT DISTINCT ${current.partitionBy}::VARCHAR AS p FROM _fitlake_current
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
  const grain = m.partition_grain;
  const aligned = new Map((m.lookups ?? []).map(parseLookup).filter((l) => l.key === m.partition_by || grain !== 'day').map((l) => [l.name, l.key]));
  let sql = m.sql;
  for (const d of m.depends) {
    const column = d.startsWith('bronze_') ? 'date' : (partitionOf(d) ?? aligned.get(d));
    if (!column) continue;
    const col = grain === 'day' ? column : `date_trunc('${grain}', ${column})::DATE`;
    const ref = new RegExp(`\\b(FROM|JOIN)\\s+${d}\\b(?!\\s*\\()(\\s+(?:AS\\s+)?(?!(?:${KEYWORDS})\\b)[a-z_][a-z0-9_]*)?`, 'gi');
    sql = sql.replace(ref, (_all, kw: string, alias?: string) => `${kw} (SELECT * FROM ${d} WHERE ${col} IN (${values}))${alias ?? ` AS ${d}`}`);
  }
  return sql;
}

export function sameInputs(current: Pointer, inputs: Record<string, string>, ignore: Set<string>): boolean {
  const prev = current.inputs ?? {};
  return Object.keys(inputs).every((k) => ignore.has(k) || prev[k] === inputs[k]);
}
