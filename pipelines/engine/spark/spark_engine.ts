import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Config } from '../../../core/config';
import { DataError, UnavailableError, ValidationError } from '../../../core/errors';
import { localDay } from '../../../core/dates';
import { lakePaths } from '../../../core/paths';
import { BronzeLog } from '../../bronze/log';
import { bronzeFiles } from '../../bronze/reader';
import { QUARANTINE_TABLE } from '../../bronze/ingest';
import { FEEDS } from '../../feeds';
import { latestDeltaVersion } from '../../delta/delta_log';
import type { Engine, TableCommit } from '../engine';

export type SparkSettings = Extract<Config['engine'], { type: 'spark' }>;

const SERVER = join(__dirname, 'server.py');
const REPO = resolve(__dirname, '..', '..', '..');
const INSTALL = 'npm run setup:spark (PySpark 4.2.0, sqlglot and pyarrow into .venv; Java 17 when there is none)';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  op: string;
}

/** The Python that runs Spark: `engine.python`, or the project's `.venv`. */
function pythonFor(settings: SparkSettings): string {
  return settings.python ?? join(REPO, '.venv', 'bin', 'python');
}

/** Spark SQL of the local day each bronze batch was ingested on, by batch id (`b`). */
function batchDaySql(log: BronzeLog, timeZone: string): string {
  if (log.commits.length === 0) return 'CAST(NULL AS DATE)';
  return `CASE b ${log.commits.map((c) => `WHEN ${c.batch_id} THEN DATE'${localDay(new Date(c.committed_at), timeZone)}'`).join(' ')} END`;
}

/** Refuses to start without Java or PySpark, saying how to install them. */
export function checkSparkPrerequisites(settings: SparkSettings): string {
  const python = pythonFor(settings);
  if (!existsSync(python)) throw new ValidationError(`--engine spark needs Python with PySpark: ${python} does not exist; run ${INSTALL}`, 'engine');
  const probe = spawnSync(python, ['-c', 'import pyspark, sqlglot, pyarrow; print(pyspark.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new ValidationError(`--engine spark needs PySpark, sqlglot and pyarrow in ${python}; run ${INSTALL}`, 'engine');
  const java = spawnSync(process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java', ['-version'], { encoding: 'utf8' });
  if (java.status !== 0) throw new ValidationError(`--engine spark needs Java 17 or 21 (java on PATH or JAVA_HOME): apt-get install openjdk-17-jre-headless`, 'engine');
  return python;
}

/**
 * Spark behind the `Engine` interface: a PySpark driver (`server.py`, in local mode or against
 * `engine.master`) answering JSON-line requests. Model SQL is sent as written (DuckDB's dialect) and
 * transpiled there. Tables are built as Parquet in the same layout the DuckDB engine writes (the
 * quality gate reads them there), then committed as Delta tables (`commitTables`): the Delta commit
 * makes a version current, and its history allows time travel.
 */
export class SparkEngine implements Engine {
  readonly name = 'spark';
  readonly tableFormat = 'delta';
  readonly asofJoin = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited: string | null = null;
  /** The driver's last lines on stderr (Spark's log), for the message when it dies. */
  private readonly tail: string[] = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly master: string,
    stderr?: (line: string) => void,
  ) {
    createInterface({ input: child.stdout }).on('line', (line) => this.answer(line));
    createInterface({ input: child.stderr }).on('line', (l) => {
      this.tail.push(l);
      if (this.tail.length > 400) this.tail.shift();
      stderr?.(l);
    });
    child.on('close', (code, signal) => {
      const why = this.tail.filter((l) => /Error|Exception/.test(l)).slice(-3).join(' | ');
      this.exited = `the Spark driver exited (${signal ?? `code ${code}`})${why ? `: ${why}` : ''}`;
      for (const p of this.pending.values()) p.reject(new UnavailableError(`${this.exited} during ${p.op}`));
      this.pending.clear();
    });
  }

  static async open(root: string, timeZone: string, settings: SparkSettings, opts: { bronze?: BronzeLog; stderr?: (line: string) => void } = {}): Promise<SparkEngine> {
    const python = checkSparkPrerequisites(settings);
    const child = spawn(python, [SERVER, settings.master, timeZone, 'fitlake'], { cwd: tmpdir(), env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYSPARK_PYTHON: python } });
    const engine = new SparkEngine(child, settings.master, opts.stderr);
    await new Promise<void>((ok, fail) => {
      engine.pending.set(0, { resolve: () => ok(), reject: fail, op: 'start' });
    });
    const log = opts.bronze ?? BronzeLog.load(lakePaths(root).bronzeLog);
    await engine.call('define_function', { signature: 'fitlake_batch_day(b BIGINT) RETURNS DATE', body: batchDaySql(log, timeZone) });
    for (const feed of FEEDS) {
      await engine.call('register_parquet', { name: `bronze_${feed.name}`, files: bronzeFiles(root, feed.name, log), partition_column: 'date', empty_columns: [...feed.columns, '_source_file', '_line_number', '_batch_id', '_ingested_at', 'date'] });
    }
    await engine.call('register_parquet', { name: 'bronze_quarantine', files: bronzeFiles(root, QUARANTINE_TABLE, log), empty_columns: ['feed', '_source_file', '_line_number', '_batch_id', '_ingested_at', 'raw_line', 'reason'] });
    return engine;
  }

  private answer(line: string): void {
    let msg: { id: number; ok: boolean; result?: unknown; error?: string; kind?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else if (msg.kind === 'unportable') p.reject(new ValidationError(`Spark: ${msg.error}`, 'sql'));
    else if (msg.kind === 'unavailable') {
      const cause = this.tail.filter((l) => l.startsWith('Caused by:')).at(-1)?.replace(/^Caused by: /, '');
      p.reject(new UnavailableError(`Spark did not start (master ${this.master}): ${cause ?? msg.error}`));
    }
    else p.reject(new DataError(`Spark: ${msg.error}`));
  }

  private call<T>(op: string, args: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(new UnavailableError(this.exited));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, op });
      this.child.stdin.write(JSON.stringify({ id, op, args }) + '\n');
    });
  }

  registerParquet(name: string, files: readonly string[]): Promise<void> {
    return this.call('register_parquet', { name, files });
  }

  registerView(name: string, sql: string): Promise<void> {
    return this.call('register_view', { name, sql });
  }

  writeParquet(sql: string, path: string): Promise<number> {
    return this.call('write_parquet', { sql, path });
  }

  writeParquetPartitioned(sql: string, dir: string, column: string, tag: string): Promise<{ partition: string; path: string; rows: number }[]> {
    return this.call('write_parquet_partitioned', { sql, dir, column, tag });
  }

  async commitTables(commits: readonly TableCommit[], message: string): Promise<(number | null)[]> {
    const tables = commits.map((c) => ({ dir: c.dir, files: c.files, partition_by: c.partitionBy ?? null, replace: c.replace ?? null }));
    const out = await this.call<{ dir: string; committed: boolean }[]>('commit_tables', { tables, message });
    return out.map((o) => (o.committed ? latestDeltaVersion(o.dir) : null));
  }

  execute(sql: string): Promise<void> {
    return this.call('execute', { sql });
  }

  query<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
    return this.call('query', { sql });
  }

  close(): void {
    if (!this.exited) this.child.stdin.end();
  }
}
