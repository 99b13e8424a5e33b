import { sqlIdent, sqlString, sqlStringList } from '../sql/quote';
import type { FeedSpec } from '../feeds';
import { localDateSql, parseEventTimeSql } from '../sql/timestamps';

/** One input of `linesSql`: a file to read, the landing file it stands for and the lines before it. */
export interface LinesInput {
  readFrom: string;
  source: string;
  lineBase: number;
}

/**
 * SQL that splits files into numbered lines: (_source_file: the landing path, _line_number from
 * lineBase + 1, _line). Empty lines carry nothing and are dropped; a trailing CR (Windows line ends)
 * is stripped.
 */
export function linesSql(inputs: readonly LinesInput[]): string {
  const map = inputs.map((i) => `(${sqlString(i.readFrom)}, ${sqlString(i.source)}, ${i.lineBase})`).join(', ');
  return `SELECT m.source AS _source_file, t.pos + m.base AS _line_number, CASE WHEN ends_with(_line, chr(13)) THEN rtrim(_line, chr(13)) ELSE _line END AS _line FROM (
    SELECT filename, unnest(generate_series(1, len(l))) AS pos, unnest(l) AS _line
    FROM (SELECT filename, string_split(content, chr(10)) AS l FROM read_text(${sqlStringList(inputs.map((i) => i.readFrom))}))
  ) t JOIN (VALUES ${map}) m(physical, source, base) ON t.filename = m.physical
  WHERE _line <> '' AND _line <> chr(13)`;
}

/** SQL of each CSV file's first line: (_source_file, header). */
export function headersSql(headers: readonly { source: string; header: string }[]): string {
  return `SELECT * FROM (VALUES ${headers.map((h) => `(${sqlString(h.source)}, ${sqlString(h.header)})`).join(', ')}) t(_source_file, header)`;
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
 * Parses CSV lines (RFC 4180 quoting, one record per line) against each file's own header row (from
 * `headersTable`), so columns may come in any order. A first line naming none of the feed's columns
 * is no header: then every line, the first included, is quarantined as `missing_header` (never read
 * against a data row taken for a header). Empty cells become NULL. A line whose cells do not parse
 * or do not match the header's count is quarantined as `invalid_csv`.
 */
export function csvFeedSql(feed: FeedSpec, linesTable: string, headersTable: string, timeZone: string): string {
  const cell = (c: string) => `(CASE WHEN list_position(h, ${sqlString(c)}) IS NULL THEN NULL ELSE nullif(unquote(f[list_position(h, ${sqlString(c)})]), '') END) AS ${sqlIdent(c)}`;
  const from = `SELECT _source_file, _line_number, _line, ${feed.columns.map(cell).join(', ')},
      CASE
        WHEN NOT has_header THEN 'missing_header'
        WHEN array_to_string(f, ',') <> _line OR len(f) <> len(h) THEN 'invalid_csv'
        ${[feed.key, feed.eventTime].map((c) => `WHEN list_position(h, ${sqlString(c)}) IS NULL THEN ${sqlString(`header_missing:${c}`)}`).join('\n        ')}
      END AS _reason
    FROM (
      SELECT l._source_file, l._line_number, l._line, hd.h, hd.has_header,
        regexp_extract_all(l._line || ',', '("(?:[^"]|"")*"|[^,"]*),', 1) AS f
      FROM ${linesTable} l
      JOIN (SELECT _source_file, h, list_has_any(h, ${sqlStringList(feed.columns)}) AS has_header
            FROM (SELECT _source_file, list_transform(string_split(header, ','), x -> trim(x, ' "')) AS h FROM ${headersTable})) hd USING (_source_file)
      WHERE NOT (hd.has_header AND l._line_number = 1)
    )`;
  return classify(feed, from, timeZone);
}

/** DuckDB macro removing CSV quotes from a cell. Run once per connection before csvFeedSql. */
export const UNQUOTE_MACRO = `CREATE OR REPLACE TEMP MACRO unquote(x) AS CASE WHEN starts_with(x, '"') AND ends_with(x, '"') AND length(x) >= 2 THEN replace(x[2:-2], '""', '"') ELSE x END`;
