import { sqlIdent } from '../../pipelines/sql/quote';
import { freshColumns, maxTtl, type PitSpec } from './pit_sql';

const interval = (ms: number) => `INTERVAL ${Math.floor(ms / 1000)} SECOND`;

/**
 * Engine-neutral SQL (DuckDB and Spark) for one view's point-in-time join against the entity table
 * `entities` (`_row_id`, join key, `event_timestamp`), reading the view from the relation `source`;
 * returns `_row_id` and the named feature columns. Same answer as `pitSql`: per entity row, the row
 * with the latest feature_ts <= event_timestamp among those created by then (ties: latest
 * created_ts), blanked when older than the TTL.
 *
 * A daily grid (verified at build) is an equi-join on candidate days. Otherwise the view's rows and
 * the entity rows are merged into one timeline per key, each view row at the instant it became
 * visible (max(feature_ts, created_ts)) and numbered in (feature_ts, created_ts) order; an entity
 * row takes the highest number seen so far — no ASOF or range join, which Spark lacks or pays for.
 * `tag` suffixes the names of its CTEs, so several views join in one query.
 */
export function enginePitSql(spec: PitSpec, source: string, entities: string, tag = ''): string {
  const ttl = maxTtl(spec.ttls);
  if (spec.dailyGridZone && ttl > 0) return gridSql(spec, source, entities, ttl, tag);
  const key = sqlIdent(spec.key);
  const cols = spec.features.map((f) => sqlIdent(f.name));
  return `WITH v${tag} AS (
  SELECT ${key}, feature_ts, ${cols.join(', ')},
    CASE WHEN created_ts > feature_ts THEN created_ts ELSE feature_ts END AS _visible,
    row_number() OVER (PARTITION BY ${key} ORDER BY feature_ts, created_ts) AS _seq
  FROM ${source}
),
timeline${tag} AS (
  SELECT ${key}, _visible AS _at, 0 AS _is_entity, _seq, NULL AS _row_id, NULL AS event_timestamp FROM v${tag}
  UNION ALL SELECT ${key}, event_timestamp, 1, NULL, _row_id, event_timestamp FROM ${entities}
),
t${tag} AS (
  SELECT _row_id, ${key}, event_timestamp, _is_entity,
    max(_seq) OVER (PARTITION BY ${key} ORDER BY _at, _is_entity ROWS UNBOUNDED PRECEDING) AS _seq
  FROM timeline${tag}
)
SELECT t._row_id, ${freshColumns(spec, 'v.feature_ts', 't.event_timestamp', (c) => `v.${c}`, interval).join(', ')}
FROM t${tag} t LEFT JOIN v${tag} v ON v.${key} = t.${key} AND v._seq = t._seq
WHERE t._is_entity = 1`;
}

/**
 * The daily-grid case: with one row per key and local day at local midnight, an entity row's
 * candidates are the midnights of its local day and the ceil(ttl/day)+1 days before: a hash join on
 * (key, candidate midnight), the latest candidate not after the entity time and within the TTL wins.
 */
function gridSql(spec: PitSpec, source: string, entities: string, ttl: number, tag: string): string {
  const key = sqlIdent(spec.key);
  const cols = spec.features.map((f) => sqlIdent(f.name));
  const back = Math.ceil(ttl / 86_400_000) + 1;
  return `WITH cand${tag} AS (
  SELECT e._row_id, e.${key}, e.event_timestamp AS _ets, fitlake_day_start(fitlake_local_date(e.event_timestamp) - CAST(k AS INTEGER)) AS _cts
  FROM ${entities} e, unnest(fitlake_ints(${back + 1})) AS t(k)
),
hits${tag} AS (
  SELECT c._row_id, c._ets, n.feature_ts, ${cols.map((c) => `n.${c}`).join(', ')},
    row_number() OVER (PARTITION BY c._row_id ORDER BY n.feature_ts DESC) AS _rank
  FROM cand${tag} c JOIN ${source} n ON n.${key} = c.${key} AND n.feature_ts = c._cts
  WHERE n.feature_ts <= c._ets AND n.feature_ts >= c._ets - ${interval(ttl)}
)
SELECT _row_id, ${freshColumns(spec, 'feature_ts', '_ets', (c) => c, interval).join(', ')} FROM hits${tag} WHERE _rank = 1`;
}
