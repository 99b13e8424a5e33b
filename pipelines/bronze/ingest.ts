import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { acquireLock } from '../../core/atomic_fs';
import { Db, sqlIdent, sqlString } from '../../core/duckdb';
import { ValidationError } from '../../core/errors';
import { faultPoint } from '../../core/faults';
import type { Logger } from '../../core/logger';
import { lakePaths } from '../../core/paths';
import { noProgress, type Progress } from '../../core/progress';
import { FEEDS, type FeedSpec } from '../feeds';
import { BronzeLog, type Commit, type CommitOutput, type CommitSource } from './log';
import { csvFeedSql, jsonFeedSql, linesSql, UNQUOTE_MACRO } from './parse_sql';

export interface IngestOptions {
  /** The gym's zone: event dates (the partitions) are local dates there. */
  timezone: string;
  /** At most this many landing files per batch (Auto Loader's maxFilesPerTrigger). */
  maxFilesPerBatch: number;
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
  /** Landing files that changed after they were ingested: reported, never re-ingested. */
  changed: string[];
  /** Data files of crashed batches removed before this run. */
  vacuumed: number;
}

interface Candidate {
  path: string;
  feed: FeedSpec;
  size: number;
  mtimeMs: number;
}

export const QUARANTINE_TABLE = '_quarantine';

/** Landing files not ingested yet, oldest drop first; plus ingested ones whose size changed. */
export function discover(landing: string, log: BronzeLog): { fresh: Candidate[]; changed: string[] } {
  const seen = log.ingested();
  const fresh: Candidate[] = [];
  const changed: string[] = [];
  for (const feed of FEEDS) {
    const dir = join(landing, feed.name);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name.endsWith('.tmp') || !name.endsWith(`.${feed.format}`)) continue;
      const path = `${feed.name}/${name}`;
      const st = statSync(join(dir, name));
      const prior = seen.get(path);
      if (prior) {
        if (prior.size !== st.size) changed.push(path);
        continue;
      }
      fresh.push({ path, feed, size: st.size, mtimeMs: Math.floor(st.mtimeMs) });
    }
  }
  fresh.sort((a, b) => dropDate(a.path).localeCompare(dropDate(b.path)) || a.path.localeCompare(b.path));
  return { fresh, changed };
}

function dropDate(path: string): string {
  return /(\d{4}-\d{2}-\d{2})/.exec(path)?.[1] ?? '';
}

/**
 * Incrementally ingests the landing zone into bronze Parquet, Auto Loader style: each new file
 * exactly once, in batches that commit atomically to the bronze log. Data files are written aside,
 * moved in, and only then committed; a crash at any point leaves the last commit as the readable
 * state, and the next run removes the crashed batch's leftovers and redoes it.
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
    const { fresh, changed } = discover(paths.landing, log);
    for (const path of changed) deps.logger.warn({ path }, 'landing file changed after it was ingested; not re-ingested');
    const result: IngestResult = { batches: 0, files: 0, rows: 0, quarantined: 0, changed, vacuumed: vacuumed.length };
    const progress = deps.progress ?? noProgress;
    progress.start('ingest landing files', fresh.length);
    await deps.db.run(UNQUOTE_MACRO);
    for (let i = 0; i < fresh.length; i += opts.maxFilesPerBatch) {
      const batch = fresh.slice(i, i + opts.maxFilesPerBatch);
      const commit = await runBatch(log.nextBatchId(), batch, paths, opts, deps);
      log.commit(commit);
      rmSync(paths.bronzeStaging, { recursive: true, force: true });
      result.batches++;
      result.files += batch.length;
      for (const s of commit.sources) {
        result.rows += s.rows;
        result.quarantined += s.quarantined;
      }
      deps.logger.info({ batch: commit.batch_id, files: batch.length }, 'bronze batch committed');
      progress.tick(batch.length);
    }
    progress.stop();
    return result;
  } finally {
    release();
  }
}

async function runBatch(batchId: number, batch: Candidate[], paths: ReturnType<typeof lakePaths>, opts: IngestOptions, deps: IngestDeps): Promise<Commit> {
  const { db } = deps;
  const stage = join(paths.bronzeStaging, `batch-${batchId}`);
  mkdirSync(stage, { recursive: true });
  const ingestedAt = (deps.now ?? (() => new Date()))().toISOString();
  const outputs: CommitOutput[] = [];
  const counts = new Map<string, { rows: number; quarantined: number }>();
  for (const feed of FEEDS) {
    const files = batch.filter((c) => c.feed === feed);
    if (files.length === 0) continue;
    await db.run(`CREATE OR REPLACE TEMP TABLE _lines AS ${linesSql(files.map((f) => join(paths.landing, f.path)), paths.landing)}`);
    const parse = feed.format === 'csv' ? csvFeedSql(feed, '_lines', opts.timezone) : jsonFeedSql(feed, '_lines', opts.timezone);
    await db.run(`CREATE OR REPLACE TEMP TABLE _parsed AS ${parse}`);
    const meta = `_source_file, _line_number::BIGINT AS _line_number, ${batchId}::BIGINT AS _batch_id, ${sqlString(ingestedAt)}::TIMESTAMPTZ AS _ingested_at`;
    const cols = feed.columns.map(sqlIdent).join(', ');
    const stats = await db.all<{ filename: string; count: number }>(
      `COPY (SELECT ${cols}, ${meta}, date FROM _parsed WHERE _reason IS NULL ORDER BY _source_file, _line_number)
       TO ${sqlString(join(stage, feed.name))} (FORMAT parquet, PARTITION_BY (date), FILENAME_PATTERN ${sqlString(`part-${batchId}-{i}`)}, OVERWRITE_OR_IGNORE, RETURN_STATS)`,
    );
    for (const s of stats) outputs.push({ table: feed.name, path: relative(stage, s.filename), rows: Number(s.count) });
    const qPath = join(stage, QUARANTINE_TABLE, feed.name, `part-${batchId}-0.parquet`);
    mkdirSync(dirname(qPath), { recursive: true });
    const q = await db.all<{ count: number }>(
      `COPY (SELECT ${sqlString(feed.name)} AS feed, ${meta}, _line AS raw_line, _reason AS reason FROM _parsed WHERE _reason IS NOT NULL ORDER BY _source_file, _line_number)
       TO ${sqlString(qPath)} (FORMAT parquet, RETURN_STATS)`,
    );
    const qRows = Number(q[0]?.count ?? 0);
    if (qRows > 0) outputs.push({ table: QUARANTINE_TABLE, path: relative(stage, qPath), rows: qRows });
    else rmSync(qPath, { force: true });
    for (const r of await db.all<{ f: string; ok: number; bad: number }>(
      `SELECT _source_file AS f, count(*) FILTER (WHERE _reason IS NULL) AS ok, count(*) FILTER (WHERE _reason IS NOT NULL) AS bad FROM _parsed GROUP BY 1`,
    )) {
      counts.set(r.f, { rows: Number(r.ok), quarantined: Number(r.bad) });
    }
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
    path: c.path,
    feed: c.feed.name,
    size: c.size,
    mtime_ms: c.mtimeMs,
    rows: counts.get(c.path)?.rows ?? 0,
    quarantined: counts.get(c.path)?.quarantined ?? 0,
  }));
  return { batch_id: batchId, committed_at: ingestedAt, sources, outputs };
}
