import { sqlIdent, sqlString } from '../../pipelines/sql/quote';
import type { Entity, FeatureView } from '../define';
import { streamViewSql, type StreamView } from '../stream_view';
import { sourceFileSql, windowMeasures, type WindowMeasure as Measure } from './source_sql';

/** How a spine group's SQL reads its inputs (see `spineGroupSql`). */
export interface GroupSqlOptions {
  /** Join each spine row to the running sums with an ASOF join (engines that have one) instead of merging both into one sorted timeline. */
  asof?: boolean;
  /** Per windowed view (the first of those sharing a facts file): read its facts from this table (rows matching `where`, when given) instead of from its source file. */
  facts?: ReadonlyMap<string, { table: string; where?: string }>;
  /**
   * Rows from this local day (YYYY-MM-DD) on only: the caller restricts the spine to those days, and
   * every delta of an earlier day is folded into one per key on the day before, which leaves the
   * running sums (and latest dates) of the days kept exactly as in a full build.
   */
  from?: string;
  /** Add `feature_month` (the first day of the row's local month): the partition of a group's table. */
  month?: boolean;
}

const features = (view: FeatureView) => view.schema.map((f) => `${f.expr ?? sqlIdent(f.name)} AS ${sqlIdent(f.name)}`);

/**
 * One windowed view's deltas (key, day, one column per measure of the view): each fact (event day d,
 * known from day `avail`) adds its measure to a `w`-day window sum from day `avail` and removes it
 * after day d + w; a latest-date measure is the fact's d from `avail` on.
 */
function deltasSql(i: number, measures: Measure[], key: string): string {
  const num = (c: Measure) => `CAST(${sqlIdent(c.m)} AS DOUBLE)`;
  const add = (c: Measure) => (c.w === undefined ? `CASE WHEN ${sqlIdent(c.m)} > 0 THEN d END` : `CASE WHEN avail <= d + ${c.w} THEN ${num(c)} END`);
  const parts = [`SELECT ${key}, avail AS day, ${measures.map((c) => `${add(c)} AS ${sqlIdent(c.col)}`).join(', ')} FROM g_facts_${i}`];
  const windows = [...new Set(measures.filter((c) => c.w !== undefined).map((c) => c.w!))].sort((a, b) => a - b);
  for (const w of windows) parts.push(`SELECT ${key}, d + ${w + 1}, ${measures.map((c) => (c.w === w ? `-${num(c)}` : 'NULL')).join(', ')} FROM g_facts_${i} WHERE avail <= d + ${w}`);
  return parts.join('\n  UNION ALL ');
}

/**
 * One sweep per facts file: windowed views reading the same file share its facts, deltas, daily sums
 * and running window (their measure columns are distinct: a group never holds two views whose names
 * collide). Each sweep is named by its first view (`v`, index `i`).
 */
function sweeps(views: FeatureView[]): { v: FeatureView; i: number; file: string; measures: Measure[] }[] {
  const byFile = new Map<string, { v: FeatureView; i: number; file: string; measures: Measure[] }>();
  views.forEach((v, i) => {
    if (v.source.kind !== 'windowed') return;
    const sweep = byFile.get(v.source.file) ?? { v, i, file: v.source.file, measures: [] };
    sweep.measures.push(...windowMeasures(v));
    byFile.set(v.source.file, sweep);
  });
  return [...byFile.values()];
}

/** The day before a YYYY-MM-DD day, as a DATE literal. */
function dayBefore(day: string): string {
  return `DATE ${sqlString(new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10))}`;
}

const agg = (c: Measure) => `${c.w === undefined ? 'max' : 'sum'}(${sqlIdent(c.col)})`;

/**
 * One view's deltas summed per key and day (`per_day_<i>`). With `from`, the deltas of every earlier
 * day are folded into one row per key on the day before it (an aggregate over few groups).
 */
function perDaySql(i: number, measures: Measure[], key: string, from: string | undefined): string {
  const sums = measures.map((c) => `${agg(c)} AS ${sqlIdent(c.col)}`).join(', ');
  const deltas = `(\n  ${deltasSql(i, measures, key)}\n) AS g_deltas_${i}`;
  if (!from) return `g_per_day_${i} AS (SELECT ${key}, day, ${sums} FROM ${deltas} GROUP BY ${key}, day)`;
  const before = dayBefore(from);
  return `g_deltas_${i} AS (SELECT * FROM ${deltas}),
g_per_day_${i} AS (
  SELECT ${key}, day, ${sums} FROM g_deltas_${i} WHERE day > ${before} GROUP BY ${key}, day
  UNION ALL SELECT ${key}, ${before}, ${sums} FROM g_deltas_${i} WHERE day <= ${before} GROUP BY ${key}
)`;
}

/**
 * The spine rows with every windowed view's running sums (`windowed`: key, date, feature_ts,
 * created_ts, measures): a sweep, not a range join. A spine row of day D reads the running sums after
 * the deltas of D: either through an ASOF join per view to the last day with deltas at or before D,
 * or merged into one sorted timeline of every view's days (each spine row after the deltas of its own
 * day). A late-arriving record thus changes a value only from the day it arrived.
 */
function windowedSql(views: FeatureView[], rows: string, carried: string[], key: string, opts: GroupSqlOptions): string {
  const windowed = sweeps(views);
  const all = windowed.flatMap((w) => w.measures);
  const ctes = windowed.flatMap(({ v, i, file, measures }) => {
    const from = opts.facts?.get(v.name);
    const facts = from ? `SELECT * FROM ${sqlIdent(from.table)}${from.where ? ` WHERE ${from.where}` : ''}` : sourceFileSql(file);
    return [`g_facts_${i} AS (${facts})`, perDaySql(i, measures, key, opts.from)];
  });
  const window = (order: string) => `WINDOW w AS (PARTITION BY ${key} ORDER BY ${order} ROWS UNBOUNDED PRECEDING)`;
  const running = (measures: Measure[]) => measures.map((c) => `${agg(c)} OVER w AS ${sqlIdent(c.col)}`).join(', ');
  // DOUBLE on every engine; + 0.0: a sum that rounds to -0.0 is stored as 0.0
  const rounded = (c: Measure, on: string) => (c.w === undefined ? `${on}${sqlIdent(c.col)} AS ${sqlIdent(c.col)}` : `CAST(coalesce(round(${on}${sqlIdent(c.col)}, 6) + 0.0, 0) AS DOUBLE) AS ${sqlIdent(c.col)}`);
  if (opts.asof) {
    ctes.push(...windowed.map(({ i, measures }) => `g_running_${i} AS (SELECT ${key}, day, ${running(measures)} FROM g_per_day_${i} ${window('day')})`));
    const cols = windowed.flatMap(({ i, measures }) => measures.map((c) => rounded(c, `r${i}.`)));
    const joins = windowed.map(({ i }) => `ASOF LEFT JOIN g_running_${i} r${i} ON s.${key} = r${i}.${key} AND s.date >= r${i}.day`);
    ctes.push(`g_windowed AS (\n  SELECT s.${key}, s.date, s.feature_ts, s.created_ts, ${[...carried.map((c) => `s.${c}`), ...cols].join(', ')}\n  FROM ${rows} s\n  ${joins.join('\n  ')}\n)`);
  } else {
    const pad = carried.map((c) => `NULL AS ${c}`);
    const days = windowed.map(({ i, measures }) => `SELECT ${key}, day, 0 AS is_spine, NULL AS date, NULL AS feature_ts, NULL AS created_ts, ${[...pad, ...all.map((c) => `${measures.includes(c) ? '' : 'NULL AS '}${sqlIdent(c.col)}`)].join(', ')} FROM g_per_day_${i}`);
    ctes.push(`g_timeline AS (
  ${days.join('\n  UNION ALL ')}
  UNION ALL SELECT ${key}, date, 1, date, feature_ts, created_ts, ${[...carried, ...all.map(() => 'NULL')].join(', ')} FROM ${rows}
)`);
    ctes.push(`g_running AS (SELECT ${key}, date, feature_ts, created_ts, is_spine, ${[...carried, running(all)].join(', ')} FROM g_timeline ${window('day, is_spine')})`);
    ctes.push(`g_windowed AS (SELECT ${key}, date, feature_ts, created_ts, ${[...carried, ...all.map((c) => rounded(c, ''))].join(', ')} FROM g_running WHERE is_spine = 1)`);
  }
  return ctes.join(',\n');
}

/**
 * The SQL of a spine group's table (engine-neutral: DuckDB and Spark): one row per spine row with
 * join key, feature_ts, created_ts, [feature_month,] then every view's features in view order.
 * Windowed views' features are exprs over their running sums (see `windowedSql`). A sql view returns
 * one row per spine row: the first one's rows stand for the spine (no join); any other is joined on
 * (key, feature_ts). Measures are summed as DOUBLE (a sum of integers stays exact; DuckDB sums
 * BIGINT as a 128-bit integer, far slower).
 */
export function spineGroupSql(views: FeatureView[], spine: string, keyColumn: string, opts: GroupSqlOptions = {}): string {
  const key = sqlIdent(keyColumn);
  const windowed = views.filter((v) => v.source.kind === 'windowed');
  const sqlViews = views.flatMap((v, i) => (v.source.kind === 'sql' ? [{ v, i, file: v.source.file }] : []));
  const [base, ...joined] = sqlViews;
  const ctes: string[] = [];
  let rows = sqlIdent(spine);
  const carried = base ? base.v.schema.map((f) => sqlIdent(f.name)) : [];
  if (base) {
    ctes.push(`g_sv_${base.i} AS (SELECT ${key}, feature_ts, created_ts, fitlake_local_date(feature_ts) AS date, ${features(base.v).join(', ')} FROM (${sourceFileSql(base.file)}) src)`);
    rows = `g_sv_${base.i}`;
  }
  ctes.push(windowed.length > 0 ? windowedSql(views, rows, carried, key, opts) : `g_windowed AS (SELECT ${[key, 'date', 'feature_ts', 'created_ts', ...carried].join(', ')} FROM ${rows})`);
  ctes.push(`g_wf AS (SELECT ${[key, 'date', 'feature_ts', 'created_ts', ...carried, ...windowed.flatMap((v) => features(v))].join(', ')} FROM g_windowed)`);
  ctes.push(...joined.map(({ v, i, file }) => `g_sv_${i} AS (SELECT ${key}, feature_ts, ${features(v).join(', ')} FROM (${sourceFileSql(file)}) src)`));
  const select = views.flatMap((v, i) => v.schema.map((f) => `${v.source.kind === 'sql' && i !== base?.i ? `g_sv_${i}` : 'g_wf'}.${sqlIdent(f.name)}`));
  const month = opts.month ? [`CAST(date_trunc('month', g_wf.date) AS DATE) AS feature_month`] : [];
  const joins = joined.map(({ i }) => `LEFT JOIN g_sv_${i} ON g_sv_${i}.${key} = g_wf.${key} AND g_sv_${i}.feature_ts = g_wf.feature_ts`);
  return `WITH ${ctes.join(',\n')}
SELECT ${[`g_wf.${key}`, 'g_wf.feature_ts', 'g_wf.created_ts', ...month, ...select].join(', ')}
FROM g_wf${joins.map((j) => `\n${j}`).join('')}`;
}

/**
 * The SQL of one view's rows on its own: join key, feature_ts, created_ts, features. A view with a
 * spine is a group of one (`spineGroupSql`); a streaming view's rows come from bronze.
 */
export function viewSql(view: FeatureView, entities: Map<string, Entity>, opts: GroupSqlOptions = {}): string {
  const keyColumn = entities.get(view.entities[0])!.joinKey;
  const key = sqlIdent(keyColumn);
  if (view.source.kind === 'stream') return `SELECT ${key}, feature_ts, created_ts,\n  ${features(view).join(',\n  ')}\nFROM (${streamViewSql(view as StreamView, keyColumn)}) src`;
  if (view.source.kind === 'events' || (view.source.kind === 'sql' && !view.source.spine)) return `SELECT ${key}, feature_ts, created_ts,\n  ${features(view).join(',\n  ')}\nFROM (${sourceFileSql(view.source.file)}) src`;
  return spineGroupSql([view], view.source.spine!, keyColumn, opts);
}
