import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock } from '../../core/atomic_fs';
import { localDay } from '../../core/dates';
import { Db } from '../engine/duckdb/db';
import { ValidationError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { lakePaths, type LakePaths } from '../../core/paths';
import { noProgress, type Progress } from '../../core/progress';
import { FEEDS } from '../feeds';
import { discover, dropDate, screen, type Screened } from './landing_files';
import { BronzeLog, type Commit, type CommitSource } from './log';
import { UNQUOTE_MACRO } from './parse_sql';
import { moveStaged, QUARANTINE_TABLE, stageBatch, type FeedInput } from './batch_writer';

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

export { QUARANTINE_TABLE };
const DEFAULT_SETTLE_MS = 10_000;

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
  const stage = join(paths.bronzeStaging, `batch-${batchId}`);
  const ingestedAt = now.toISOString();
  const inputs: FeedInput[] = [];
  for (const feed of FEEDS) {
    const files = batch.filter((c) => c.file.feed === feed);
    if (files.length === 0) continue;
    const readable = files.filter((f) => !f.rejected);
    inputs.push({
      feed,
      format: feed.format,
      lines: readable.map((f) => ({ readFrom: f.readFrom, source: f.file.path, lineBase: f.lineBase })),
      headers: feed.format === 'csv' ? readable.map((f) => ({ source: f.file.path, header: f.header ?? '' })) : undefined,
      rejected: files.filter((f) => f.rejected).map((f) => ({ source: f.file.path, line: null, raw: null, reason: f.rejected! })),
    });
  }
  const { outputs, counts } = await stageBatch(deps.db, stage, batchId, ingestedAt, opts.timezone, inputs);
  moveStaged(stage, paths.bronze, outputs);
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
