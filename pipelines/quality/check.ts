import { sqlIdent, sqlString } from '../sql/quote';
import type { Engine } from '../engine/engine';
import type { Expectation } from './expectations';

export interface CheckResult {
  table: string;
  kind: Expectation['kind'];
  description: string;
  severity: Expectation['severity'];
  passed: boolean;
  /** Rows (or units of mismatch) failing the expectation. */
  failing: number;
  details: string;
}

const id = sqlIdent;

/** Rows of a partitioned table to check: only the partitions a run rebuilt. */
export interface Scope {
  column: string;
  values: string[];
  /** The Parquet files holding those partitions, per table, when known: read them instead of filtering. */
  files?: Record<string, string[]>;
}

/** The name a scope's files of `table` are registered under (by `runChecks`) for the checks to read. */
const scopedName = (table: string) => `_scoped_${table}`;

function scopedSource(table: string, scope: Scope): string {
  const files = scope.files?.[table];
  if (files && files.length > 0) return sqlIdent(scopedName(table));
  return `(SELECT * FROM ${sqlIdent(table)} WHERE ${sqlIdent(scope.column)} IN (${scope.values.map((v) => `${sqlString(v)}::DATE`).join(', ')}))`;
}

/** SQL returning one row: failing (a count) and details (text), for one expectation. */
export function checkSql(e: Expectation, scope?: Scope, bronzeRows?: number): { sql: string; description: string } {
  const src = (table: string) => (scope && table === e.table && SCOPABLE.has(e.kind) ? scopedSource(table, scope) : id(table));
  return build(e, src, e.kind === 'reconcile' ? scope : undefined, bronzeRows);
}

/**
 * Kinds whose verdict over a table is the union of their verdicts over its partitions. Reconcile is
 * one because a classified row's partition is its bronze row's date.
 */
const SCOPABLE = new Set<Expectation['kind']>(['not_null', 'unique', 'accepted_values', 'range', 'relationship', 'reconcile']);

function build(e: Expectation, src: (table: string) => string, scope?: Scope, bronzeRows?: number): { sql: string; description: string } {
  const scoped = scope ? scope.values.map((v) => `${sqlString(v)}::DATE`).join(', ') : null;
  switch (e.kind) {
    case 'not_null':
      return { description: `${e.column} is never null`, sql: `SELECT count(*) AS failing, '' AS details FROM ${src(e.table)} WHERE ${id(e.column)} IS NULL` };
    case 'unique': {
      const cols = e.columns.map(id).join(', ');
      return {
        description: `(${e.columns.join(', ')}) is unique`,
        sql: `SELECT coalesce(sum(n - 1), 0) AS failing, coalesce(string_agg(k, '; ') FILTER (WHERE rn <= 5), '') AS details
          FROM (SELECT concat_ws('|', ${cols}) AS k, count(*) AS n, row_number() OVER (ORDER BY concat_ws('|', ${cols})) AS rn FROM ${src(e.table)} GROUP BY ${cols} HAVING count(*) > 1)`,
      };
    }
    case 'accepted_values':
      return {
        description: `${e.column} in {${e.values.join(', ')}}`,
        sql: `SELECT count(*) AS failing, coalesce(string_agg(DISTINCT ${id(e.column)}::VARCHAR, ', '), '') AS details FROM ${src(e.table)}
          WHERE ${id(e.column)} IS NOT NULL AND ${id(e.column)}::VARCHAR NOT IN (${e.values.map(sqlString).join(', ')})`,
      };
    case 'range': {
      const conds = [e.min === undefined ? null : `${id(e.column)} < ${e.min}`, e.max === undefined ? null : `${id(e.column)} > ${e.max}`].filter(Boolean).join(' OR ');
      return {
        description: `${e.column} within [${e.min ?? '-∞'}, ${e.max ?? '∞'}]`,
        sql: `SELECT count(*) AS failing, coalesce(min(${id(e.column)})::VARCHAR || ' … ' || max(${id(e.column)})::VARCHAR, '') AS details FROM ${src(e.table)} WHERE ${conds}`,
      };
    }
    case 'relationship':
      return {
        description: `${e.column} references ${e.to.table}.${e.to.column}`,
        sql: `SELECT count(*) AS failing, coalesce(string_agg(DISTINCT t.${id(e.column)}::VARCHAR, ', ') FILTER (WHERE t.${id(e.column)} IS NOT NULL), '') AS details
          FROM ${src(e.table)} t WHERE t.${id(e.column)} IS NOT NULL AND t.${id(e.column)} NOT IN (SELECT ${id(e.to.column)} FROM ${id(e.to.table)} WHERE ${id(e.to.column)} IS NOT NULL)`,
      };
    case 'min_rows':
      return { description: `at least ${e.min} rows`, sql: `SELECT greatest(0, ${e.min} - count(*)) AS failing, count(*)::VARCHAR || ' rows' AS details FROM ${id(e.table)}` };
    case 'freshness':
      return {
        description: `newest ${e.column} within ${e.maxLagDays} days of bronze ${e.feed}`,
        sql: `SELECT CASE WHEN lag > ${e.maxLagDays} THEN lag ELSE 0 END AS failing, 'lag ' || coalesce(lag::VARCHAR, 'unknown') || ' days' AS details
          FROM (SELECT datediff('day', (SELECT max(${id(e.column)}) FROM ${id(e.table)}), (SELECT max(date) FROM ${id(`bronze_${e.feed}`)})) AS lag)`,
      };
    case 'reconcile': {
      const bronze = scoped ? `(SELECT * FROM ${id(`bronze_${e.feed}`)} WHERE date IN (${scoped}))` : id(`bronze_${e.feed}`);
      const part = (t: string) => (scope ? scopedSource(t, scope) : id(t));
      return {
        description: `bronze ${e.feed} rows = ${e.table} + quarantined + duplicates`,
        sql: `WITH b AS (SELECT ${bronzeRows === undefined ? `count(*) AS n FROM ${bronze}` : `${bronzeRows}::BIGINT AS n`}),
            c AS (SELECT count(*) FILTER (WHERE _status = 'ok') AS ok, count(*) FILTER (WHERE _status = 'quarantined') AS q, count(*) FILTER (WHERE _status = 'duplicate') AS d, count(*) AS n FROM ${part(e.classified)}),
            s AS (SELECT count(*) AS n FROM ${part(e.table)})
          SELECT abs(b.n - c.n) + abs(s.n - c.ok) AS failing,
            'bronze ' || b.n || ' = silver ' || s.n || ' + quarantined ' || c.q || ' + duplicates ' || c.d${scoped ? ` || ' (rebuilt partitions)'` : ''} AS details
          FROM b, c, s`,
      };
    }
  }
}

/**
 * Runs the expectations. `scopeOf` may restrict a table's row-level checks to the partitions a run
 * rebuilt (null: nothing rebuilt, so those checks pass as checked when the rows were written).
 */
/** Facts a run already knows, used instead of scanning: newest partitions, bronze row counts from its log. */
export interface KnownFacts {
  /** Newest partition value of a partitioned table's new version. */
  newest?: (table: string) => string | undefined;
  /** Newest bronze partition date of a feed. */
  bronzeNewest?: (feed: string) => string | undefined;
  /** Committed bronze rows of a feed on the given dates. */
  bronzeRows?: (feed: string, dates: string[]) => number;
}

export async function runChecks(engine: Engine, expectations: Expectation[], scopeOf: (table: string) => Scope | null | undefined = () => undefined, facts: KnownFacts = {}): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const registered = new Map<string, string[]>();
  for (const e of expectations) {
    const newest = e.kind === 'freshness' ? facts.newest?.(e.table) : undefined;
    if (e.kind === 'freshness' && newest) {
      const bronzeNewest = facts.bronzeNewest?.(e.feed);
      const bronzeMax = bronzeNewest ? `${sqlString(bronzeNewest)}::DATE` : `(SELECT max(date) FROM ${sqlIdent(`bronze_${e.feed}`)})`;
      const [row] = await engine.query<{ lag: number | null }>(`SELECT datediff('day', ${sqlString(newest)}::DATE, ${bronzeMax}) AS lag`);
      const lag = row?.lag ?? null;
      const failing = lag !== null && lag > e.maxLagDays ? lag : 0;
      out.push({ table: e.table, kind: e.kind, description: build(e, id).description, severity: e.severity, passed: failing === 0, failing, details: `lag ${lag ?? 'unknown'} days` });
      continue;
    }
    const scope = scopeOf(e.table);
    if ((scope === null || scope?.values.length === 0) && SCOPABLE.has(e.kind)) {
      out.push({ table: e.table, kind: e.kind, description: build(e, id).description, severity: e.severity, passed: true, failing: 0, details: 'no partition rebuilt; checked when written' });
      continue;
    }
    const bronzeRows = e.kind === 'reconcile' && scope && facts.bronzeRows ? facts.bronzeRows(e.feed, scope.values) : undefined;
    for (const [table, files] of Object.entries(scope?.files ?? {})) {
      if (files.length === 0 || registered.get(table) === files) continue;
      await engine.registerParquet(scopedName(table), files);
      registered.set(table, files);
    }
    const { sql, description } = checkSql(e, scope ?? undefined, bronzeRows);
    const [row] = await engine.query<{ failing: number; details: string }>(sql);
    const failing = Number(row?.failing ?? 0);
    out.push({ table: e.table, kind: e.kind, description, severity: e.severity, passed: failing === 0, failing, details: String(row?.details ?? '') });
  }
  return out;
}
