import { sqlIdent, sqlString, sqlStringList } from '../../core/duckdb';
import type { FeedSpec } from '../feeds';
import { localDateSql, parseEventTimeSql } from '../sql/timestamps';

/**
 * SQL that splits landing files into numbered lines: (_source_file relative to `root`,
 * _line_number from 1, _line). Empty lines carry nothing and are dropped; a trailing CR
 * (Windows line ends) is stripped.
 */
export function linesSql(files: readonly string[], root: string): string {
  return `SELECT _source_file, _line_number, CASE WHEN ends_with(_line, chr(13)) THEN rtrim(_line, chr(13)) ELSE _line END AS _line FROM (
    SELECT _source_file, unnest(generate_series(1, len(l))) AS _line_number, unnest(l) AS _line
    FROM (SELECT replace(filename, ${sqlString(root.endsWith('/') ? root : `${root}/`)}, '') AS _source_file, string_split(content, chr(10)) AS l FROM read_text(${sqlStringList(files)}))
  ) WHERE _line <> '' AND _line <> chr(13)`;
}

/** The common tail: validity of key and event time, and the partition date. */
function classify(feed: FeedSpec, from: string, timeZone: string): string {
  const cols = feed.columns.map((c) => `${sqlIdent(c)}`).join(', ');
  const ts = parseEventTimeSql(sqlIdent(feed.eventTime), timeZone);
  return `SELECT _source_file, _line_number, _line, ${cols},
      CASE
        WHEN _reason IS NOT NULL THEN _reason
        WHEN ${sqlIdent(feed.key)} IS NULL OR trim(${sqlIdent(feed.key)}) = '' THEN ${sqlString(`missing_field:${feed.key}`)}
        WHEN _ts IS NULL THEN ${sqlString(`bad_event_time:${feed.eventTime}`)}
      END AS _reason,
      ${localDateSql('_ts', timeZone)} AS date
    FROM (SELECT *, ${ts} AS _ts FROM (${from}))`;
}

/** Parses JSON-lines: every schema field as text (nested values as JSON text), or a reason. */
export function jsonFeedSql(feed: FeedSpec, linesTable: string, timeZone: string): string {
  const struct = `{${feed.columns.map((c) => `"${c}":"VARCHAR"`).join(',')}}`;
  const fields = feed.columns.map((c) => `r.${sqlIdent(c)} AS ${sqlIdent(c)}`).join(', ');
  const isObject = `(starts_with(_line, '{') OR (starts_with(_line, ' ') AND starts_with(ltrim(_line), '{')))`;
  const from = `SELECT _source_file, _line_number, _line, ${fields},
      CASE WHEN NOT ok THEN 'invalid_json' WHEN r IS NULL THEN 'not_an_object' END AS _reason
    FROM (
      SELECT *, CASE WHEN ok AND ${isObject} THEN from_json(_line, ${sqlString(struct)}) END AS r
      FROM (SELECT *, json_valid(_line) AS ok FROM ${linesTable})
    )`;
  return classify(feed, from, timeZone);
}

/**
 * Parses CSV lines (RFC 4180 quoting, one record per line) against each file's own header row, so
 * columns may come in any order. Empty cells become NULL. A line whose cells do not parse or do not
 * match the header's count is quarantined as `invalid_csv`.
 */
export function csvFeedSql(feed: FeedSpec, linesTable: string, timeZone: string): string {
  const cell = (c: string) => `(CASE WHEN list_position(h, ${sqlString(c)}) IS NULL THEN NULL ELSE nullif(unquote(f[list_position(h, ${sqlString(c)})]), '') END) AS ${sqlIdent(c)}`;
  const from = `SELECT _source_file, _line_number, _line, ${feed.columns.map(cell).join(', ')},
      CASE
        WHEN array_to_string(f, ',') <> _line OR len(f) <> len(h) THEN 'invalid_csv'
        ${[feed.key, feed.eventTime].map((c) => `WHEN list_position(h, ${sqlString(c)}) IS NULL THEN ${sqlString(`header_missing:${c}`)}`).join('\n        ')}
      END AS _reason
    FROM (
      SELECT l._source_file, l._line_number, l._line, hd.h,
        regexp_extract_all(l._line || ',', '("(?:[^"]|"")*"|[^,"]*),', 1) AS f
      FROM ${linesTable} l
      JOIN (SELECT _source_file, list_transform(string_split(_line, ','), x -> trim(x, ' "')) AS h FROM ${linesTable} WHERE _line_number = 1) hd USING (_source_file)
      WHERE l._line_number > 1
    )`;
  return classify(feed, from, timeZone);
}

/** DuckDB macro removing CSV quotes from a cell. Run once per connection before csvFeedSql. */
export const UNQUOTE_MACRO = `CREATE OR REPLACE TEMP MACRO unquote(x) AS CASE WHEN starts_with(x, '"') AND ends_with(x, '"') AND length(x) >= 2 THEN replace(x[2:-2], '""', '"') ELSE x END`;
