import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { acquireLock } from '../../core/atomic_fs';
import { Db } from '../engine/duckdb/db';
import { sqlIdent, sqlString } from '../sql/quote';
import { ValidationError } from '../../core/errors';
import { faultPoint } from '../../core/faults';
import type { Logger } from '../../core/logger';
import { lakePaths, type LakePaths } from '../../core/paths';
import { noProgress, type Progress } from '../../core/progress';
import { FEEDS, type FeedSpec } from '../feeds';
import { discover, dropDate, screen, type Screened } from './landing_files';
import { BronzeLog, type Commit, type CommitOutput, type CommitSource } from './log';
import { csvFeedSql, headersSql, jsonFeedSql, linesSql, UNQUOTE_MACRO } from './parse_sql';

export interface IngestOptions {
  /** The gym's zone: event dates (the partitions) are local dates there. */
  timezone: string;
  /** At most this many landing files per batch (Auto Loader's maxFilesPerTrigger). */
  maxFilesPerBatch: number;
  /**
   * A file modified less than this long ago may still be written to: only its complete lines are
   * taken, and its unterminated last line waits for a later run (default 10 s).
   */
  settleMs?: number;
}

export interface IngestDeps {
  db: Db;
  logger: Logger;
  progress?: Progress;
  now?: () => Date;
}

export interface IngestResult {
  batches: number;
  files: number;
  rows: number;
  quarantined: number;
  /** Landing files whose earlier bytes changed after they were ingested: reported, never re-ingested. */
  changed: string[];
  /** Landing files that grew since they were ingested: only their new lines were taken. */
  appended: string[];
  /** Files (or appended ranges) quarantined whole because they are not text. */
  rejected: string[];
  /** Files whose only line is still being written: taken by a later run. */
  pending: string[];
  /** Files whose name carries a drop date after today: their records count as known from ingestion. */
  futureDated: string[];
  /** Data files of crashed batches removed before this run. */
  vacuumed: number;
}

export const QUARANTINE_TABLE = '_quarantine';
const DEFAULT_SETTLE_MS = 10_000;

function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * Incrementally ingests the landing zone into bronze Parquet, Auto Loader style: each new line
 * exactly once, in batches that commit atomically to the bronze log. Data files are written aside,
 * moved in, and only then committed; a crash at any point leaves the last commit as the readable
 * state, and the next run removes the crashed batch's leftovers and redoes it. A file that is not
 * text is quarantined whole; the rest of its batch lands.
 */
export async function ingestBronze(root: string, opts: IngestOptions, deps: IngestDeps): Promise<IngestResult> {
  if (!Number.isInteger(opts.maxFilesPerBatch) || opts.maxFilesPerBatch < 1) {
    throw new ValidationError(`--max-files-per-batch must be a whole number ≥ 1, got ${opts.maxFilesPerBatch}`, 'maxFilesPerBatch');
  }
  const paths = lakePaths(root);
  mkdirSync(paths.bronze, { recursive: true });
  const release = acquireLock(join(paths.bronze, '_ingest.lock'), 'bronze ingestion');
  try {
    const log = BronzeLog.load(paths.bronzeLog);
    const vacuumed = log.vacuum(paths.bronze);
    rmSync(paths.bronzeStaging, { recursive: true, force: true });
    if (vacuumed.length > 0) deps.logger.warn({ files: vacuumed.length }, 'removed data files of an uncommitted (crashed) batch');
    const now = (deps.now ?? (() => new Date()))();
    const result: IngestResult = { batches: 0, files: 0, rows: 0, quarantined: 0, changed: [], appended: [], rejected: [], pending: [], futureDated: [], vacuumed: vacuumed.length };
    const candidates = discover(paths.landing, log.ingested());
    const progress = deps.progress ?? noProgress;
    progress.start('ingest landing files', candidates.length);
    await deps.db.run(UNQUOTE_MACRO);
    const today = localDay(now, opts.timezone);
    let batch: Screened[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const commit = await runBatch(log.nextBatchId(), batch, paths, opts, deps, now);
      log.commit(commit);
      rmSync(paths.bronzeStaging, { recursive: true, force: true });
      tally(result, batch, commit);
      deps.logger.info({ batch: commit.batch_id, files: batch.length }, 'bronze batch committed');
      progress.tick(batch.length);
      batch = [];
    };
    for (const file of candidates) {
      const out = screen(file, paths.landing, join(paths.bronzeStaging, `batch-${log.nextBatchId()}`, '_slices'), { settleMs: opts.settleMs ?? DEFAULT_SETTLE_MS, now: now.getTime() });
      if (out.kind !== 'ingest') {
        result[out.kind].push(file.path);
        progress.tick(1);
        continue;
      }
      batch.push(out.screened);
      if (dropDate(file.path) > today) result.futureDated.push(file.path);
      if (batch.length === opts.maxFilesPerBatch) await flush();
    }
    await flush();
    progress.stop();
    report(result, deps.logger, today);
    return result;
  } finally {
    release();
  }
}

function tally(result: IngestResult, batch: Screened[], commit: Commit): void {
  result.batches++;
  result.files += batch.length;
  for (const s of batch) {
    if (s.offset > 0) result.appended.push(s.file.path);
    if (s.rejected) result.rejected.push(s.file.path);
  }
  for (const s of commit.sources) {
    result.rows += s.rows;
    result.quarantined += s.quarantined;
  }
}

function report(r: IngestResult, logger: Logger, today: string): void {
  for (const path of r.changed) logger.warn({ path }, 'landing file changed after it was ingested (its earlier bytes differ); not re-ingested');
  for (const path of r.rejected) logger.warn({ path }, 'landing file is not text (binary or invalid UTF-8): quarantined whole');
  for (const path of r.futureDated) logger.warn({ path, today }, 'landing file name carries a drop date after today: its records count as known from the day they were ingested');
  if (r.pending.length > 0) logger.info({ files: r.pending.length }, 'files still being written (no complete line yet) wait for the next run');
}

async function runBatch(batchId: number, batch: Screened[], paths: LakePaths, opts: IngestOptions, deps: IngestDeps, now: Date): Promise<Commit> {
  const { db } = deps;
  const stage = join(paths.bronzeStaging, `batch-${batchId}`);
  mkdirSync(stage, { recursive: true });
  const ingestedAt = now.toISOString();
  const outputs: CommitOutput[] = [];
  const counts = new Map<string, { rows: number; quarantined: number }>();
  const meta = `_source_file, _line_number::BIGINT AS _line_number, ${batchId}::BIGINT AS _batch_id, ${sqlString(ingestedAt)}::TIMESTAMPTZ AS _ingested_at`;
  for (const feed of FEEDS) {
    const files = batch.filter((c) => c.file.feed === feed);
    if (files.length === 0) continue;
    const readable = files.filter((f) => !f.rejected);
    const bad: string[] = [];
    if (readable.length > 0) {
      await parseFeed(feed, readable, opts.timezone, db);
      const cols = feed.columns.map(sqlIdent).join(', ');
      const stats = await db.all<{ filename: string; count: number }>(
        `COPY (SELECT ${cols}, ${meta}, date FROM _parsed WHERE _reason IS NULL ORDER BY _source_file, _line_number)
         TO ${sqlString(join(stage, feed.name))} (FORMAT parquet, PARTITION_BY (date), FILENAME_PATTERN ${sqlString(`part-${batchId}-{i}`)}, OVERWRITE_OR_IGNORE, RETURN_STATS)`,
      );
      for (const s of stats) outputs.push({ table: feed.name, path: relative(stage, s.filename), rows: Number(s.count) });
      bad.push(`SELECT ${sqlString(feed.name)} AS feed, ${meta}, _line AS raw_line, _reason AS reason FROM _parsed WHERE _reason IS NOT NULL`);
      for (const r of await db.all<{ f: string; ok: number; bad: number }>(
        `SELECT _source_file AS f, count(*) FILTER (WHERE _reason IS NULL) AS ok, count(*) FILTER (WHERE _reason IS NOT NULL) AS bad FROM _parsed GROUP BY 1`,
      )) {
        counts.set(r.f, { rows: Number(r.ok), quarantined: Number(r.bad) });
      }
    }
    for (const f of files.filter((x) => x.rejected)) {
      bad.push(
        `SELECT ${sqlString(feed.name)} AS feed, ${sqlString(f.file.path)} AS _source_file, NULL::BIGINT AS _line_number, ${batchId}::BIGINT AS _batch_id, ${sqlString(ingestedAt)}::TIMESTAMPTZ AS _ingested_at, NULL::VARCHAR AS raw_line, ${sqlString(f.rejected!)} AS reason`,
      );
      counts.set(f.file.path, { rows: 0, quarantined: 1 });
    }
    const qPath = join(stage, QUARANTINE_TABLE, feed.name, `part-${batchId}-0.parquet`);
    mkdirSync(dirname(qPath), { recursive: true });
    const q = await db.all<{ count: number }>(`COPY (${bad.join(' UNION ALL ')} ORDER BY _source_file, _line_number) TO ${sqlString(qPath)} (FORMAT parquet, RETURN_STATS)`);
    const qRows = Number(q[0]?.count ?? 0);
    if (qRows > 0) outputs.push({ table: QUARANTINE_TABLE, path: relative(stage, qPath), rows: qRows });
    else rmSync(qPath, { force: true });
  }
  faultPoint('bronze.after_stage');
  for (const o of outputs) {
    const target = join(paths.bronze, o.path);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(join(stage, o.path), target);
    faultPoint('bronze.mid_move');
  }
  faultPoint('bronze.before_commit');
  const sources: CommitSource[] = batch.map((c) => ({
    path: c.file.path,
    feed: c.file.feed.name,
    size: c.end,
    mtime_ms: c.file.mtimeMs,
    rows: counts.get(c.file.path)?.rows ?? 0,
    quarantined: counts.get(c.file.path)?.quarantined ?? 0,
    ...(c.offset > 0 ? { offset: c.offset } : {}),
    lines: c.lines,
    sha256: c.sha256,
    ...(c.rejected ? { rejected: c.rejected } : {}),
  }));
  return { batch_id: batchId, committed_at: ingestedAt, sources, outputs };
}

/** Reads a feed's readable ranges into `_parsed`: feed columns as text, `_reason` for bad lines, `date`. */
async function parseFeed(feed: FeedSpec, files: Screened[], timeZone: string, db: Db): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE _lines AS ${linesSql(files.map((f) => ({ readFrom: f.readFrom, source: f.file.path, lineBase: f.lineBase })))}`);
  if (feed.format === 'csv') {
    await db.run(`CREATE OR REPLACE TEMP TABLE _headers AS ${headersSql(files.map((f) => ({ source: f.file.path, header: f.header ?? '' })))}`);
  }
  const parse = feed.format === 'csv' ? csvFeedSql(feed, '_lines', '_headers', timeZone) : jsonFeedSql(feed, '_lines', timeZone);
  await db.run(`CREATE OR REPLACE TEMP TABLE _parsed AS ${parse}`);
}
