import { sqlIdent, sqlString, sqlStringList } from '../../pipelines/sql/quote';
import type { Feature } from '../define';

/** What a point-in-time join of one offline table needs: its files, join key, and the features to pick with their views' TTLs. */
export interface PitSpec {
  files: string[];
  /**
   * Set when the table is known (verified at build) to hold one row per key and local day, stamped
   * at local midnight in this zone and created then: lookups become equi-joins on candidate days.
   */
  dailyGridZone?: string;
  key: string;
  features: Feature[];
  /** Output column name per feature, in `features` order. */
  names: string[];
  /** The TTL of each feature's view in milliseconds (0: none), in `features` order. */
  ttls: number[];
}

/** The largest TTL when every feature has one, else 0 (some feature's lookback is unbounded). */
export function maxTtl(ttls: readonly number[]): number {
  return ttls.every((t) => t > 0) ? Math.max(...ttls) : 0;
}

/** Feature columns blanked when older than their view's TTL: `ts` is the chosen row's feature_ts, `ets` the entity time. */
export function freshColumns(spec: PitSpec, ts: string, ets: string, value: (col: string) => string, interval: (ms: number) => string): string[] {
  return spec.features.map((f, i) => {
    const v = value(sqlIdent(f.name));
    const out = sqlIdent(spec.names[i]);
    return spec.ttls[i] > 0 ? `CASE WHEN ${ts} >= ${ets} - ${interval(spec.ttls[i])} THEN ${v} END AS ${out}` : `${v} AS ${out}`;
  });
}

const duckInterval = (ms: number) => `to_milliseconds(${ms})`;

/**
 * SQL for one view's point-in-time join against the entity table `entities` (`_row_id`, join key,
 * `event_timestamp`), returning `_row_id` and the named feature columns.
 *
 * Rows created no later than their feature_ts (the normal case) go through an ASOF join: the latest
 * feature_ts <= event_timestamp (duplicates of a key and feature_ts keep the latest created_ts).
 * Rows created after their feature_ts (backfills, corrections) are only visible from created_ts on,
 * so they take a range join of their own — they are few — and win when they are newer, or as new
 * and created later. The TTL then blanks values older than event_timestamp − ttl. Without such
 * rows (`hasLateRows` false: the store checks) the ASOF join alone is the answer.
 */
export function pitSql(spec: PitSpec, entities: string, hasLateRows: boolean): string {
  const key = sqlIdent(spec.key);
  const cols = spec.features.map((f) => sqlIdent(f.name));
  const ttl = maxTtl(spec.ttls);
  if (spec.dailyGridZone && ttl > 0 && !hasLateRows) return dailyGridSql(spec, entities, ttl);
  const head = `WITH src AS (SELECT ${key}, feature_ts, created_ts, ${cols.join(', ')} FROM read_parquet(${sqlStringList(spec.files)})),
normal AS (
  SELECT * FROM src WHERE created_ts <= feature_ts
  QUALIFY row_number() OVER (PARTITION BY ${key}, feature_ts ORDER BY created_ts DESC) = 1
)`;
  if (!hasLateRows) {
    return `${head},
a AS (
  SELECT e._row_id, e.event_timestamp AS _ets, n.feature_ts AS _fts, ${cols.map((c) => `n.${c}`).join(', ')}
  FROM ${entities} e ASOF LEFT JOIN normal n ON e.${key} = n.${key} AND e.event_timestamp >= n.feature_ts
)
SELECT _row_id, ${freshColumns(spec, '_fts', '_ets', (c) => c, duckInterval).join(', ')} FROM a`;
  }
  const pre = (p: string, c: string) => sqlIdent(`${p}__${c.replace(/"/g, '')}`);
  const pick = (c: string) => `CASE WHEN _use_b THEN ${pre('b', c)} ELSE ${pre('a', c)} END`;
  return `${head},
a AS (
  SELECT e._row_id, e.event_timestamp AS _ets, n.feature_ts AS a__feature_ts, n.created_ts AS a__created_ts, ${cols.map((c) => `n.${c} AS ${pre('a', c)}`).join(', ')}
  FROM ${entities} e ASOF LEFT JOIN normal n ON e.${key} = n.${key} AND e.event_timestamp >= n.feature_ts
),
b AS (
  SELECT e._row_id, l.feature_ts AS b__feature_ts, l.created_ts AS b__created_ts, ${cols.map((c) => `l.${c} AS ${pre('b', c)}`).join(', ')}
  FROM ${entities} e JOIN (SELECT * FROM src WHERE created_ts > feature_ts) l
    ON e.${key} = l.${key} AND l.feature_ts <= e.event_timestamp AND l.created_ts <= e.event_timestamp
  QUALIFY row_number() OVER (PARTITION BY e._row_id ORDER BY l.feature_ts DESC, l.created_ts DESC) = 1
),
both_sides AS (
  SELECT a.*, b.* EXCLUDE (_row_id),
    b.b__feature_ts IS NOT NULL AND (a.a__feature_ts IS NULL OR b.b__feature_ts > a.a__feature_ts OR (b.b__feature_ts = a.a__feature_ts AND b.b__created_ts > a.a__created_ts)) AS _use_b
  FROM a LEFT JOIN b USING (_row_id)
)
SELECT _row_id, ${freshColumns(spec, pick('feature_ts'), '_ets', pick, duckInterval).join(', ')}
FROM both_sides`;
}

/**
 * The daily-grid case: with one row per key and local day at local midnight, the rows within the TTL
 * of an entity row can only be those of its local day and the ceil(ttl/day)+1 days before, so the
 * lookup is a hash join on (key, candidate midnight) — no sort of the (large) feature table — and the
 * latest candidate not after the entity time and within the TTL wins.
 */
function dailyGridSql(spec: PitSpec, entities: string, ttl: number): string {
  const key = sqlIdent(spec.key);
  const tz = sqlString(spec.dailyGridZone!);
  const back = Math.ceil(ttl / 86_400_000) + 1;
  return `WITH cand AS (
  SELECT e._row_id, e.${key}, e.event_timestamp AS _ets, timezone(${tz}, (timezone(${tz}, e.event_timestamp)::DATE - k::INTEGER)::TIMESTAMP) AS _cts
  FROM ${entities} e, range(0, ${back + 1}) t(k)
)
SELECT c._row_id, ${freshColumns(spec, 'n.feature_ts', 'c._ets', (c) => `n.${c}`, duckInterval).join(', ')}
FROM cand c JOIN read_parquet(${sqlStringList(spec.files)}) n ON n.${key} = c.${key} AND n.feature_ts = c._cts
WHERE n.feature_ts <= c._ets AND n.feature_ts >= c._ets - to_milliseconds(${ttl})
QUALIFY row_number() OVER (PARTITION BY c._row_id ORDER BY n.feature_ts DESC) = 1`;
}
