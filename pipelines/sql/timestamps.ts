import { sqlString } from './quote';

/**
 * SQL (DuckDB dialect, ICU loaded) turning a raw event-time string into a TIMESTAMPTZ, for every
 * format the gym's systems write: ISO 8601 with offset or Z, epoch milliseconds, the tills'
 * naive local `MM/DD/YYYY hh:mm AM`, and a bare date (local midnight). Naive values are read in
 * `timeZone`. Anything else gives NULL.
 */
export function parseEventTimeSql(expr: string, timeZone: string): string {
  const tz = sqlString(timeZone);
  const v = expr;
  return `(CASE
    WHEN contains(${v}, '/') THEN timezone(${tz}, coalesce(try_strptime(trim(${v}), '%m/%d/%Y %I:%M %p'), try_strptime(trim(${v}), '%m/%d/%Y %I:%M:%S %p')))
    WHEN length(${v}) = 10 AND ${v}[5] = '-' THEN timezone(${tz}, try_cast(${v} AS DATE)::TIMESTAMP)
    WHEN length(${v}) BETWEEN 11 AND 14 AND try_cast(${v} AS BIGINT) IS NOT NULL THEN to_timestamp(${v}::BIGINT / 1000.0)
    WHEN regexp_matches(${v}, '([Zz]|[+-]\\d{2}(:?\\d{2})?)$') THEN try_cast(${v} AS TIMESTAMPTZ)
    ELSE timezone(${tz}, try_cast(trim(${v}) AS TIMESTAMP))
  END)`;
}

/** SQL for the gym-local calendar date of a TIMESTAMPTZ expression. */
export function localDateSql(tsExpr: string, timeZone: string): string {
  return `timezone(${sqlString(timeZone)}, ${tsExpr})::DATE`;
}
