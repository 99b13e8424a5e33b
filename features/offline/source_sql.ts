import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqlIdent } from '../../pipelines/sql/quote';
import type { Entity, FeatureView } from '../define';
import { streamViewSql, type StreamView } from '../stream_view';

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

/** How `viewSql` reads a windowed view's facts and joins its spine (see `viewSql`). */
export interface ViewSqlOptions {
  /** Read the facts from this table, the rows matching `where` (one bucket of keys; the caller filters the spine the same way), instead of from the source file. */
  facts?: { table: string; where: string };
  /** Join each spine row to the running sums with an ASOF join (engines that have one) instead of merging both into one sorted timeline. */
  asof?: boolean;
}

/**
 * The SQL that materializes a view's offline table: join key, feature_ts, created_ts, features.
 * Engine-neutral (it runs on DuckDB and on Spark).
 *
 * A windowed view is computed as a sweep, not a range join: each fact (event day d, known from day
 * `avail`) adds its measure to a `w`-day window sum from day `avail` and removes it after day d + w,
 * so the running sum of those deltas at day D is the sum over events of days [D − w, D − 1] that were
 * known by D. A spine row of day D reads the running sums after the deltas of D: either merged into
 * the same sorted timeline (each spine row after the deltas of its own day), or, with `asof`, joined
 * to the last day with deltas at or before D. A late-arriving record thus changes a value only from
 * the day it arrived: no row reveals anything that was not known at its feature_ts. Measures are
 * summed as DOUBLE (a sum of integers stays exact; DuckDB sums BIGINT as a 128-bit integer, far slower).
 */
export function viewSql(view: FeatureView, entities: Map<string, Entity>, opts: ViewSqlOptions = {}): string {
  const key = sqlIdent(entities.get(view.entities[0])!.joinKey);
  const features = view.schema.map((f) => `${f.expr ?? sqlIdent(f.name)} AS ${sqlIdent(f.name)}`).join(',\n  ');
  if (view.source.kind === 'sql') {
    return `SELECT ${key}, feature_ts, created_ts,\n  ${features}\nFROM (${sourceFileSql(view.source.file)}) src`;
  }
  if (view.source.kind === 'stream') {
    return `SELECT ${key}, feature_ts, created_ts,\n  ${features}\nFROM (${streamViewSql(view as StreamView, entities.get(view.entities[0])!.joinKey)}) src`;
  }
  const { sums, lastDates, spine, file } = view.source;
  const windows = [...new Set(Object.values(sums).flat())].sort((a, b) => a - b);
  const sumCols = Object.entries(sums).flatMap(([m, ws]) => ws.map((w) => ({ m: `CAST(${sqlIdent(m)} AS DOUBLE)`, w, col: sqlIdent(`${m}_${w}d`) })));
  const lastCols = lastDates.map((m) => ({ m, col: sqlIdent(`last_${m}_date`) }));
  const nulls = (n: number) => Array.from({ length: n }, () => 'NULL');
  const adds = [...sumCols.map((c) => `CASE WHEN avail <= d + ${c.w} THEN ${c.m} END AS ${c.col}`), ...lastCols.map((l) => `CASE WHEN ${sqlIdent(l.m)} > 0 THEN d END AS ${l.col}`)];
  const removes = windows.map((w) => `SELECT ${key}, d + ${w + 1} AS day, ${[...sumCols.map((c) => (c.w === w ? `-${c.m}` : 'NULL')), ...nulls(lastCols.length)].join(', ')} FROM facts WHERE avail <= d + ${w}`);
  const perDay = [...sumCols.map((c) => `sum(${c.col}) AS ${c.col}`), ...lastCols.map((l) => `max(${l.col}) AS ${l.col}`)];
  const measures = [...sumCols, ...lastCols].map((c) => c.col);
  const source = opts.facts ? `SELECT * FROM ${sqlIdent(opts.facts.table)} WHERE ${opts.facts.where}` : sourceFileSql(file);
  const running = (on: string) => [...sumCols.map((c) => `sum(${on}${c.col}) OVER w AS ${c.col}`), ...lastCols.map((l) => `max(${on}${l.col}) OVER w AS ${l.col}`)];
  // DOUBLE on every engine; + 0.0: a sum that rounds to -0.0 is stored as 0.0
  const rounded = (on: string) => [...sumCols.map((c) => `CAST(coalesce(round(${on}${c.col}, 6) + 0.0, 0) AS DOUBLE) AS ${c.col}`), ...lastCols.map((l) => `${on}${l.col} AS ${l.col}`)];
  const sweep = opts.asof
    ? `running AS (SELECT ${key}, day, ${running('').join(', ')} FROM per_day WINDOW w AS (PARTITION BY ${key} ORDER BY day ROWS UNBOUNDED PRECEDING)),
windowed AS (
  SELECT s.${key}, s.date, s.feature_ts, s.created_ts, ${rounded('r.').join(', ')}
  FROM ${sqlIdent(spine)} s ASOF LEFT JOIN running r ON s.${key} = r.${key} AND s.date >= r.day
)
SELECT ${key}, feature_ts, created_ts,\n  ${features}\nFROM windowed`
    : `timeline AS (
  SELECT ${key}, day, 0 AS is_spine, NULL AS date, NULL AS feature_ts, NULL AS created_ts, ${measures.join(', ')} FROM per_day
  UNION ALL SELECT ${key}, date, 1, date, feature_ts, created_ts, ${nulls(measures.length).join(', ')} FROM ${sqlIdent(spine)}
),
running AS (
  SELECT ${key}, date, feature_ts, created_ts, is_spine, ${running('').join(', ')}
  FROM timeline WINDOW w AS (PARTITION BY ${key} ORDER BY day, is_spine ROWS UNBOUNDED PRECEDING)
),
windowed AS (SELECT ${key}, date, feature_ts, created_ts, ${rounded('').join(', ')} FROM running WHERE is_spine = 1)
SELECT ${key}, feature_ts, created_ts,\n  ${features}\nFROM windowed`;
  return `WITH facts AS (${source}),
deltas AS (
  SELECT ${key}, avail AS day, ${adds.join(', ')} FROM facts
  ${removes.map((r) => `UNION ALL ${r}`).join('\n  ')}
),
per_day AS (SELECT ${key}, day, ${perDay.join(', ')} FROM deltas GROUP BY ${key}, day),
${sweep}`;
}
