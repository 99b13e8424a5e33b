import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqlIdent } from '../../pipelines/sql/quote';
import type { Entity, FeatureView } from '../define';

export const SOURCES_DIR = join(__dirname, '..', 'sources');

/** The SQL of a file in features/sources/, without its comment header. */
export function sourceFileSql(file: string): string {
  return readFileSync(join(SOURCES_DIR, `${file}.sql`), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('--'))
    .join('\n')
    .trim();
}

/** Columns a windowed source provides to feature exprs: `<measure>_<n>d` and `last_<measure>_date`. */
export function windowColumns(view: FeatureView): string[] {
  if (view.source.kind !== 'windowed') return [];
  const sums = Object.entries(view.source.sums).flatMap(([m, ws]) => ws.map((w) => `${m}_${w}d`));
  return [...sums, ...view.source.lastDates.map((m) => `last_${m}_date`)];
}

/**
 * The SQL that materializes a view's offline table: join key, feature_ts, created_ts, features.
 * Engine-neutral (it runs on DuckDB and on Spark).
 *
 * A windowed view is computed as a sweep, not a range join: each fact (event day d, known from day
 * `avail`) adds its measure to a `w`-day window sum from day `avail` and removes it after day d + w,
 * so the running sum of those deltas at day D is the sum over events of days [D − w, D − 1] that were
 * known by D. Spine days are merged into the same timeline, each after the deltas of its own day,
 * and read the running sums there. A late-arriving record thus changes a value only from the day it
 * arrived: no row reveals anything that was not known at its feature_ts.
 *
 * `facts`: read the facts from this table, the rows matching `where` (one bucket of keys; the caller
 * filters the spine the same way), instead of from the source file.
 */
export function viewSql(view: FeatureView, entities: Map<string, Entity>, facts?: { table: string; where: string }): string {
  const key = sqlIdent(entities.get(view.entities[0])!.joinKey);
  const features = view.schema.map((f) => `${f.expr ?? sqlIdent(f.name)} AS ${sqlIdent(f.name)}`).join(',\n  ');
  if (view.source.kind === 'sql') {
    return `SELECT ${key}, feature_ts, created_ts,\n  ${features}\nFROM (${sourceFileSql(view.source.file)}) src`;
  }
  const { sums, lastDates, spine, file } = view.source;
  const windows = [...new Set(Object.values(sums).flat())].sort((a, b) => a - b);
  const sumCols = Object.entries(sums).flatMap(([m, ws]) => ws.map((w) => ({ m, w, col: sqlIdent(`${m}_${w}d`) })));
  const lastCols = lastDates.map((m) => ({ m, col: sqlIdent(`last_${m}_date`) }));
  const nulls = (n: number) => Array.from({ length: n }, () => 'NULL');
  const adds = [...sumCols.map((c) => `CASE WHEN avail <= d + ${c.w} THEN ${sqlIdent(c.m)} END AS ${c.col}`), ...lastCols.map((l) => `CASE WHEN ${sqlIdent(l.m)} > 0 THEN d END AS ${l.col}`)];
  const removes = windows.map((w) => `SELECT ${key}, d + ${w + 1} AS day, ${[...sumCols.map((c) => (c.w === w ? `-${sqlIdent(c.m)}` : 'NULL')), ...nulls(lastCols.length)].join(', ')} FROM facts WHERE avail <= d + ${w}`);
  const perDay = [...sumCols.map((c) => `sum(${c.col}) AS ${c.col}`), ...lastCols.map((l) => `max(${l.col}) AS ${l.col}`)];
  const measures = [...sumCols, ...lastCols].map((c) => c.col);
  // DOUBLE on every engine; + 0.0: a sum that rounds to -0.0 is stored as 0.0
  const running = [...sumCols.map((c) => `CAST(coalesce(round(sum(${c.col}) OVER w, 6) + 0.0, 0) AS DOUBLE) AS ${c.col}`), ...lastCols.map((l) => `max(${l.col}) OVER w AS ${l.col}`)];
  const source = facts ? `SELECT * FROM ${sqlIdent(facts.table)} WHERE ${facts.where}` : sourceFileSql(file);
  return `WITH facts AS (${source}),
deltas AS (
  SELECT ${key}, avail AS day, ${adds.join(', ')} FROM facts
  ${removes.map((r) => `UNION ALL ${r}`).join('\n  ')}
),
per_day AS (SELECT ${key}, day, ${perDay.join(', ')} FROM deltas GROUP BY ${key}, day),
timeline AS (
  SELECT ${key}, day, 0 AS is_spine, NULL AS date, NULL AS feature_ts, NULL AS created_ts, ${measures.join(', ')} FROM per_day
  UNION ALL SELECT ${key}, date, 1, date, feature_ts, created_ts, ${nulls(measures.length).join(', ')} FROM ${sqlIdent(spine)}
),
windowed AS (
  SELECT ${key}, date, feature_ts, created_ts, is_spine, ${running.join(', ')}
  FROM timeline WINDOW w AS (PARTITION BY ${key} ORDER BY day, is_spine ROWS UNBOUNDED PRECEDING)
)
SELECT ${key}, feature_ts, created_ts,\n  ${features}\nFROM windowed WHERE is_spine = 1`;
}
