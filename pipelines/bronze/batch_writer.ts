import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { faultPoint } from '../../core/faults';
import type { Db } from '../engine/duckdb/db';
import type { FeedSpec } from '../feeds';
import { sqlIdent, sqlString } from '../sql/quote';
import type { CommitOutput } from './log';
import { csvFeedSql, headersSql, jsonFeedSql, linesSql, type LinesInput } from './parse_sql';

export const QUARANTINE_TABLE = '_quarantine';

/** A record quarantined before parsing: a whole file that is not text, or an event that broke its contract. */
export interface RejectedRecord {
  source: string;
  line: number | null;
  raw: string | null;
  reason: string;
}

/** One feed's part of a bronze batch: line files to parse (in `format`), and records already rejected. */
export interface FeedInput {
  feed: FeedSpec;
  format: 'jsonl' | 'csv';
  lines: readonly LinesInput[];
  /** CSV only: each source's first line. */
  headers?: readonly { source: string; header: string }[];
  rejected: readonly RejectedRecord[];
}

/** What a batch wrote: its data files (relative to the stage) and rows/quarantined per source. */
export interface StagedBatch {
  outputs: CommitOutput[];
  counts: Map<string, { rows: number; quarantined: number }>;
}

/**
 * Parses each feed's lines and writes bronze's Parquet files for one batch into `stage`: valid rows
 * partitioned by event date (`<feed>/date=…/part-<batch>-<i>.parquet`), everything else to
 * `_quarantine/<feed>/` with its reason. Nothing is visible to readers until moved in and committed.
 */
export async function stageBatch(db: Db, stage: string, batchId: number, ingestedAt: string, timeZone: string, inputs: readonly FeedInput[]): Promise<StagedBatch> {
  mkdirSync(stage, { recursive: true });
  const outputs: CommitOutput[] = [];
  const counts = new Map<string, { rows: number; quarantined: number }>();
  const meta = `_source_file, _line_number::BIGINT AS _line_number, ${batchId}::BIGINT AS _batch_id, ${sqlString(ingestedAt)}::TIMESTAMPTZ AS _ingested_at`;
  for (const input of inputs) {
    const { feed } = input;
    const bad: string[] = [];
    if (input.lines.length > 0) {
      await parseFeed(input, timeZone, db);
      const cols = feed.columns.map(sqlIdent).join(', ');
      const stats = await db.all<{ filename: string; count: number }>(
        `COPY (SELECT ${cols}, ${meta}, date FROM _parsed WHERE _reason IS NULL ORDER BY _source_file, _line_number)
         TO ${sqlString(join(stage, feed.name))} (FORMAT parquet, PARTITION_BY (date), FILENAME_PATTERN ${sqlString(`part-${batchId}-{i}`)}, OVERWRITE_OR_IGNORE, RETURN_STATS)`,
      );
      for (const s of stats) outputs.push({ table: feed.name, path: relative(stage, s.filename), rows: Number(s.count) });
      let quarantined = 0;
      for (const r of await db.all<{ f: string; ok: number; bad: number }>(
        `SELECT _source_file AS f, count(*) FILTER (WHERE _reason IS NULL) AS ok, count(*) FILTER (WHERE _reason IS NOT NULL) AS bad FROM _parsed GROUP BY 1`,
      )) {
        counts.set(r.f, { rows: Number(r.ok), quarantined: Number(r.bad) });
        quarantined += Number(r.bad);
      }
      if (quarantined > 0) bad.push(`SELECT ${sqlString(feed.name)} AS feed, ${meta}, _line AS raw_line, _reason AS reason FROM _parsed WHERE _reason IS NOT NULL`);
    }
    for (const r of input.rejected) {
      bad.push(
        `SELECT ${sqlString(feed.name)} AS feed, ${sqlString(r.source)} AS _source_file, ${r.line ?? 'NULL'}::BIGINT AS _line_number, ${batchId}::BIGINT AS _batch_id, ${sqlString(ingestedAt)}::TIMESTAMPTZ AS _ingested_at, ${r.raw === null ? 'NULL' : sqlString(r.raw)}::VARCHAR AS raw_line, ${sqlString(r.reason)} AS reason`,
      );
      const c = counts.get(r.source) ?? { rows: 0, quarantined: 0 };
      counts.set(r.source, { rows: c.rows, quarantined: c.quarantined + 1 });
    }
    if (bad.length === 0) continue;
    const qPath = join(stage, QUARANTINE_TABLE, feed.name, `part-${batchId}-0.parquet`);
    mkdirSync(dirname(qPath), { recursive: true });
    const q = await db.all<{ count: number }>(`COPY (${bad.join(' UNION ALL ')} ORDER BY _source_file, _line_number) TO ${sqlString(qPath)} (FORMAT parquet, RETURN_STATS)`);
    const qRows = Number(q[0]?.count ?? 0);
    if (qRows > 0) outputs.push({ table: QUARANTINE_TABLE, path: relative(stage, qPath), rows: qRows });
    else rmSync(qPath, { force: true });
  }
  return { outputs, counts };
}

/** Moves a staged batch's files into bronze (still invisible: no commit names them yet). */
export function moveStaged(stage: string, bronze: string, outputs: readonly CommitOutput[]): void {
  faultPoint('bronze.after_stage');
  for (const o of outputs) {
    const target = join(bronze, o.path);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(join(stage, o.path), target);
    faultPoint('bronze.mid_move');
  }
  faultPoint('bronze.before_commit');
}

/** Reads a feed's lines into `_parsed`: feed columns as text, `_reason` for bad lines, `date`. */
async function parseFeed(input: FeedInput, timeZone: string, db: Db): Promise<void> {
  if (input.format === 'csv') await db.run(`CREATE OR REPLACE TEMP TABLE _headers AS ${headersSql(input.headers ?? [])}`);
  const lines = `(${linesSql(input.lines)})`;
  const parse = input.format === 'csv' ? csvFeedSql(input.feed, lines, '_headers', timeZone) : jsonFeedSql(input.feed, lines, timeZone);
  await db.run(`CREATE OR REPLACE TEMP TABLE _parsed AS ${parse}`);
}
