import { Db, sqlIdent, sqlString, sqlStringList } from '../../core/duckdb';
import type { Config } from '../../core/config';
import { createBronzeViews } from '../bronze/reader';
import { localDateSql, parseEventTimeSql } from '../sql/timestamps';
import type { Engine } from './engine';

/** The embedded engine: DuckDB over the Parquet lakehouse. */
export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';

  private constructor(readonly db: Db) {}

  /** Opens an engine with the bronze views and the fitlake SQL functions for `timeZone`. */
  static async open(root: string, timeZone: string, config?: Pick<Config, 'duckdb'>): Promise<DuckDbEngine> {
    const db = await Db.open({ memoryLimit: config?.duckdb.memoryLimit, threads: config?.duckdb.threads });
    await createBronzeViews(db, root);
    await db.run(`CREATE OR REPLACE MACRO fitlake_ts(x) AS ${parseEventTimeSql('x', timeZone)}`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_local_date(t) AS ${localDateSql('t', timeZone)}`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_local_hour(t) AS hour(timezone(${sqlString(timeZone)}, t))`);
    await db.run(`CREATE OR REPLACE MACRO fitlake_norm_sku(x) AS regexp_replace(upper(x), '[^A-Z0-9]', '', 'g')`);
    return new DuckDbEngine(db);
  }

  async registerParquet(name: string, files: readonly string[]): Promise<void> {
    await this.db.run(`CREATE OR REPLACE VIEW ${sqlIdent(name)} AS SELECT * FROM read_parquet(${sqlStringList(files)})`);
  }

  async registerView(name: string, sql: string): Promise<void> {
    await this.db.run(`CREATE OR REPLACE VIEW ${sqlIdent(name)} AS ${sql}`);
  }

  async writeParquet(sql: string, path: string): Promise<number> {
    const stats = await this.db.all<{ count: number }>(`COPY (${sql}) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd, RETURN_STATS)`);
    return stats.reduce((s, r) => s + Number(r.count), 0);
  }

  query<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
    return this.db.all<T>(sql);
  }

  close(): void {
    this.db.close();
  }
}
