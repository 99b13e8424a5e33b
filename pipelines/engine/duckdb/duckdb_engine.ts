import { Db } from './db';
import { sqlIdent, sqlString, sqlStringList } from '../../sql/quote';
import type { Config } from '../../../core/config';
import { lakePaths } from '../../../core/paths';
import { BronzeLog } from '../../bronze/log';
import { createBronzeViews } from '../../bronze/reader';
import { localDateSql, parseEventTimeSql } from '../../sql/timestamps';
import type { Engine, TableCommit } from '../engine';

/** SQL of the local day each bronze batch was ingested on, by batch id (`b`). */
function batchDaySql(log: BronzeLog, timeZone: string): string {
  if (log.commits.length === 0) return 'NULL::DATE';
  const days = log.commits.map((c) => `${c.batch_id}: ${localDateSql(`${sqlString(c.committed_at)}::TIMESTAMPTZ`, timeZone)}`);
  return `(MAP {${days.join(', ')}})[b]`;
}

/** The embedded engine: DuckDB over the Parquet lakehouse. */
export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';
  readonly tableFormat = 'files';
  readonly asofJoin = true;

  private constructor(readonly db: Db) {}

  /**
   * Opens an engine with the fitlake SQL functions for `timeZone` and bronze views over the commits
   * of `opts.bronze` (a snapshot the caller read; the log as it is now when none is given).
   */
  static async open(root: string, timeZone: string, opts: { duckdb?: Config['duckdb']; bronze?: BronzeLog } = {}): Promise<DuckDbEngine> {
    const db = await Db.open({ memoryLimit: opts.duckdb?.memoryLimit, threads: opts.duckdb?.threads });
    const bronze = opts.bronze ?? BronzeLog.load(lakePaths(root).bronzeLog);
    await createBronzeViews(db, root, bronze);
    await db.run(`CREATE OR REPLACE MACRO fitlake_ts(x) AS ${parseEventTimeSql('x', timeZone)}`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_local_date(t) AS ${localDateSql('t', timeZone)}`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_epoch_ms(t) AS epoch_ms(t)`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_local_hour(t) AS hour(timezone(${sqlString(timeZone)}, t))::INTEGER`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_local_minute(t) AS (hour(timezone(${sqlString(timeZone)}, t)) * 60 + minute(timezone(${sqlString(timeZone)}, t)))::INTEGER`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_day_name(d) AS dayname(d)`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_iso_weekday(d) AS isodow(d)::INTEGER`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_row_status(copy_no, problem) AS CASE WHEN copy_no > 1 THEN 'duplicate' WHEN problem IS NOT NULL THEN 'quarantined' ELSE 'ok' END`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_row_reason(copy_no, problem) AS CASE WHEN copy_no > 1 THEN 'replayed_record' ELSE problem END`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_day_start(d) AS timezone(${sqlString(timeZone)}, d::TIMESTAMP)`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_batch_day(b) AS ${batchDaySql(bronze, timeZone)}`);
    await db.run(
      `CREATE OR REPLACE MACRO fitlake_known_date(d, source_file, batch_id) AS greatest(d, least(try_cast(regexp_extract(source_file, '(\\d{4}-\\d{2}-\\d{2})\\.[a-z]+$', 1) AS DATE), fitlake_batch_day(batch_id))) + 1`,
    );
    await db.run('SET partitioned_write_max_open_files = 5000');
    await db.run(`CREATE OR REPLACE MACRO fitlake_norm_sku(x) AS regexp_replace(upper(x), '[^A-Z0-9]', '', 'g')`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_add_months(d, k) AS (d + to_months(k))::DATE`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_json_strings(x) AS from_json(x, '["VARCHAR"]')`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_days(lo, hi) AS list_transform(generate_series(lo::TIMESTAMP, hi::TIMESTAMP, INTERVAL 1 DAY), t -> t::DATE)`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_ints(n) AS range(0, n)`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_month_steps(lo, hi, months) AS list_transform(generate_series(lo::TIMESTAMP, hi::TIMESTAMP, to_months(months)), t -> t::DATE)`);
    return new DuckDbEngine(db);
  }

  async registerParquet(name: string, files: readonly string[]): Promise<void> {
    await this.db.run(`CREATE OR REPLACE VIEW ${sqlIdent(name)} AS SELECT * FROM read_parquet(${sqlStringList(files)}, hive_partitioning = false)`);
  }

  async registerView(name: string, sql: string): Promise<void> {
    await this.db.run(`CREATE OR REPLACE VIEW ${sqlIdent(name)} AS ${sql}`);
  }

  async writeParquet(sql: string, path: string): Promise<number> {
    const stats = await this.db.all<{ count: number }>(`COPY (${sql}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd, RETURN_STATS)`);
    return stats.reduce((s, r) => s + Number(r.count), 0);
  }

  async writeParquetPartitioned(sql: string, dir: string, column: string, tag: string): Promise<{ partition: string; path: string; rows: number }[]> {
    const stats = await this.db.all<{ filename: string; count: number; partition_keys: { key: string; value: string }[] | Record<string, string> }>(
      `COPY (${sql}) TO ${sqlString(dir)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${sqlIdent(column)}), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN ${sqlString(`part-${tag}-{i}`)}, OVERWRITE_OR_IGNORE, RETURN_STATS)`,
    );
    return stats.map((s) => ({ partition: partitionValue(s.filename, column), path: s.filename, rows: Number(s.count) }));
  }

  async commitTables(commits: readonly TableCommit[]): Promise<(number | null)[]> {
    return commits.map(() => null);
  }

  execute(sql: string): Promise<void> {
    return this.db.run(sql);
  }

  query<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
    return this.db.all<T>(sql);
  }

  close(): void {
    this.db.close();
  }
}

function partitionValue(path: string, column: string): string {
  const m = new RegExp(`${column}=([^/]+)`).exec(path);
  return m ? decodeURIComponent(m[1]) : '';
}
