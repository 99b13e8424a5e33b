import { join } from 'node:path';
import { type Db } from '../engine/duckdb/db';
import { sqlIdent, sqlStringList } from '../sql/quote';
import { lakePaths } from '../../core/paths';
import { FEEDS } from '../feeds';
import { BronzeLog } from './log';
import { QUARANTINE_TABLE } from './ingest';
import { LATE_EVENTS_COLUMNS, LATE_EVENTS_TABLE, LIVE_WINDOWS_COLUMNS, LIVE_WINDOWS_TABLE } from '../stream/live_windows';

/** Absolute paths of a bronze table's committed Parquet files (uncommitted files are invisible). */
export function bronzeFiles(root: string, table: string, log = BronzeLog.load(lakePaths(root).bronzeLog)): string[] {
  return log.files(table).map((o) => join(lakePaths(root).bronze, o.path));
}

const META = `_source_file VARCHAR, _line_number BIGINT, _batch_id BIGINT, _ingested_at TIMESTAMPTZ`;

/**
 * Creates one view per bronze table over its committed files: `bronze_<feed>` (feed columns as
 * text, ingestion metadata, `date` partition), `bronze_quarantine`, and the stream's
 * `bronze_live_windows` and `bronze_late_events`. Empty tables get empty views
 * with the same columns, so SQL over them never fails for lack of data.
 */
export async function createBronzeViews(db: Db, root: string, log = BronzeLog.load(lakePaths(root).bronzeLog)): Promise<void> {
  for (const feed of FEEDS) {
    const files = bronzeFiles(root, feed.name, log);
    const empty = `SELECT * FROM (SELECT ${feed.columns.map((c) => `NULL::VARCHAR AS ${sqlIdent(c)}`).join(', ')}, NULL::VARCHAR AS _source_file, NULL::BIGINT AS _line_number, NULL::BIGINT AS _batch_id, NULL::TIMESTAMPTZ AS _ingested_at, NULL::DATE AS date) WHERE false`;
    await db.run(`CREATE OR REPLACE VIEW ${sqlIdent(`bronze_${feed.name}`)} AS ${files.length ? `SELECT * FROM read_parquet(${sqlStringList(files)}, hive_partitioning = true, hive_types = {'date': DATE})` : empty}`);
  }
  const q = bronzeFiles(root, QUARANTINE_TABLE, log);
  await db.run(
    `CREATE OR REPLACE VIEW bronze_quarantine AS ${q.length ? `SELECT * FROM read_parquet(${sqlStringList(q)})` : `SELECT * FROM (SELECT NULL::VARCHAR AS feed, ${META.replace(/(\w+) (\w+)/g, 'NULL::$2 AS $1')}, NULL::VARCHAR AS raw_line, NULL::VARCHAR AS reason) WHERE false`}`,
  );
  for (const [view, table, columns] of [
    ['bronze_live_windows', LIVE_WINDOWS_TABLE, LIVE_WINDOWS_COLUMNS],
    ['bronze_late_events', LATE_EVENTS_TABLE, LATE_EVENTS_COLUMNS],
  ] as const) {
    const files = bronzeFiles(root, table, log);
    const empty = `SELECT * FROM (SELECT ${Object.entries(columns).map(([c, t]) => `NULL::${t} AS ${sqlIdent(c)}`).join(', ')}) WHERE false`;
    await db.run(`CREATE OR REPLACE VIEW ${view} AS ${files.length ? `SELECT * FROM read_parquet(${sqlStringList(files)})` : empty}`);
  }
}
