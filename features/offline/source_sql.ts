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
 *
 * A windowed view is computed as a sweep, not a range join: each fact (event day d, known from day
 * `avail`) adds its measure to a `w`-day window sum from day `avail` and removes it after day d + w,
 * so the running sum of those deltas at day D is the sum over events of days [D − w, D − 1] that were
 * known by D. The spine then takes the latest running value at or before its day (an ASOF join).
 * A late-arriving record thus changes a value only from the day it arrived: no row reveals anything
 * that was not known at its feature_ts.
 */
export function viewSql(view: FeatureView, entities: Map<string, Entity>): string {
  const key = sqlIdent(entities.get(view.entities[0])!.joinKey);
  const features = view.schema.map((f) => `${f.expr ?? sqlIdent(f.name)} AS ${sqlIdent(f.name)}`).join(',\n  ');
  if (view.source.kind === 'sql') {
    return `SELECT ${key}, feature_ts, created_ts,\n  ${features}\nFROM (${sourceFileSql(view.source.file)}) src`;
  }
  const { sums, lastDates, spine, file } = view.source;
  const windows = [...new Set(Object.values(sums).flat())].sort((a, b) => a - b);
  const col = (m: string, w: number) => sqlIdent(`${m}_${w}d`);
  const adds = Object.entries(sums).flatMap(([m, ws]) => ws.map((w) => `CASE WHEN avail <= d + ${w} THEN ${sqlIdent(m)} END AS ${col(m, w)}`));
  const removes = windows.map((w) => {
    const cols = Object.entries(sums)
      .filter(([, ws]) => ws.includes(w))
      .map(([m]) => `-${sqlIdent(m)} AS ${col(m, w)}`);
    return `SELECT ${key}, d + ${w + 1} AS day, ${cols.join(', ')} FROM facts WHERE avail <= d + ${w}`;
  });
  const sumCols = Object.entries(sums).flatMap(([m, ws]) => ws.map((w) => col(m, w)));
  const lastCols = lastDates.map((m) => sqlIdent(`last_${m}_date`));
  const lastCtes = lastDates.map(
    (m) => `, ${sqlIdent(`last_${m}`)} AS (
  SELECT ${key}, avail AS day, max(d) OVER (PARTITION BY ${key} ORDER BY avail ROWS UNBOUNDED PRECEDING) AS ${sqlIdent(`last_${m}_date`)}
  FROM facts WHERE ${sqlIdent(m)} > 0
  QUALIFY row_number() OVER (PARTITION BY ${key}, avail ORDER BY d DESC) = 1
)`,
  );
  const lastJoins = lastDates.map((m) => `ASOF LEFT JOIN ${sqlIdent(`last_${m}`)} USING (${key}, day)`).join('\n');
  return `WITH facts AS (${sourceFileSql(file)}),
deltas AS (
  SELECT ${key}, avail AS day, ${adds.join(', ')} FROM facts
  ${removes.map((r) => `UNION ALL BY NAME ${r}`).join('\n  ')}
),
per_day AS (SELECT ${key}, day, ${sumCols.map((c) => `sum(${c}) AS ${c}`).join(', ')} FROM deltas GROUP BY ALL),
running AS (
  SELECT ${key}, day, ${sumCols.map((c) => `round(sum(${c}) OVER w, 6) AS ${c}`).join(', ')}
  FROM per_day WINDOW w AS (PARTITION BY ${key} ORDER BY day ROWS UNBOUNDED PRECEDING)
)${lastCtes.join('')},
spine AS (SELECT ${key}, date, date AS day, feature_ts, created_ts FROM ${sqlIdent(spine)}),
windowed AS (
  SELECT spine.${key}, spine.date, spine.feature_ts, spine.created_ts, ${[...sumCols.map((c) => `coalesce(running.${c}, 0) AS ${c}`), ...lastCols].join(', ')}
  FROM spine ASOF LEFT JOIN running USING (${key}, day)
  ${lastJoins}
)
SELECT ${key}, feature_ts, created_ts,\n  ${features}\nFROM windowed`;
}
