import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../../core/config';
import { DataError } from '../../../core/errors';
import { pidAlive } from '../../../core/atomic_fs';
import { RowShape } from '../../../core/row_shape';

export type Row = Record<string, unknown>;

let instances = 0;
let sweptStaleSpill = false;

/** Removes spill folders left under `dir` by fitlake processes that were killed (DuckDB removes its own on close). */
export function removeStaleSpill(dir = tmpdir()): string[] {
  const stale = readdirSync(dir).filter((name) => {
    const m = /^fitlake-duckdb-(\d+)-\d+$/.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  });
  for (const name of stale) rmSync(join(dir, name), { recursive: true, force: true });
  return stale;
}

/** The one DuckDB wrapper: a connection with plain-JS results and SQL quoting helpers. */
export class Db {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /**
   * Opens a database (in memory unless `path`). What does not fit in `memoryLimit` spills to
   * `tempDirectory`, by default a folder of this instance's own under the OS temp dir (`TMPDIR`),
   * never the current directory; DuckDB removes it on close. The first open in a process removes
   * the folders of killed processes.
   */
  static async open(opts: { memoryLimit?: string; threads?: number; path?: string; tempDirectory?: string } = {}): Promise<Db> {
    if (!sweptStaleSpill && !opts.tempDirectory) {
      sweptStaleSpill = true;
      removeStaleSpill();
    }
    const settings: Record<string, string> = { temp_directory: opts.tempDirectory ?? join(tmpdir(), `fitlake-duckdb-${process.pid}-${++instances}`) };
    if (opts.memoryLimit) settings.memory_limit = opts.memoryLimit;
    if (opts.threads) settings.threads = String(opts.threads);
    const instance = await DuckDBInstance.create(opts.path ?? ':memory:', settings);
    const conn = await instance.connect();
    await conn.run("LOAD icu; SET TimeZone = 'UTC';");
    return new Db(instance, conn);
  }

  static fromConfig(config: Config): Promise<Db> {
    return Db.open({ memoryLimit: config.duckdb.memoryLimit, threads: config.duckdb.threads });
  }

  /** Runs one or more statements, discarding results. */
  async run(sql: string): Promise<void> {
    try {
      await this.conn.run(sql);
    } catch (e) {
      throw new DataError(`DuckDB: ${(e as Error).message}\n  in: ${sql.slice(0, 400)}`, e);
    }
  }

  /** Runs a query and returns its rows as plain objects (BIGINT as number where safe). */
  async all<T extends Row = Row>(sql: string): Promise<T[]> {
    try {
      const reader = await this.conn.runAndReadAll(sql);
      return rowObjects(reader.deduplicatedColumnNames(), reader.getColumnsJS()) as T[];
    } catch (e) {
      throw new DataError(`DuckDB: ${(e as Error).message}\n  in: ${sql.slice(0, 400)}`, e);
    }
  }

  async one<T extends Row = Row>(sql: string): Promise<T> {
    const rows = await this.all<T>(sql);
    if (rows.length !== 1) throw new DataError(`expected one row, got ${rows.length}: ${sql.slice(0, 200)}`);
    return rows[0];
  }

  /**
   * Appends rows to an existing table whose columns are VARCHAR or DOUBLE, in `columns` order
   * (fast bulk load from JS; null/undefined → NULL). Numbers go to DOUBLE columns, the rest as text.
   */
  async append(table: string, columns: readonly string[], rows: readonly Row[]): Promise<void> {
    const appender = await this.conn.createAppender(table);
    try {
      for (const row of rows) {
        for (const c of columns) {
          const v = row[c];
          if (v === null || v === undefined) appender.appendNull();
          else if (typeof v === 'number') appender.appendDouble(v);
          else appender.appendVarchar(v instanceof Date ? v.toISOString() : String(v));
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** A BIGINT as a number where it is exactly one; other values as they are. */
function normalise(v: unknown): unknown {
  return typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** Rows as plain objects of one compact shape (see `RowShape`). */
function rowObjects(names: string[], columns: unknown[][]): Row[] {
  const shape = new RowShape(names);
  const n = columns.length === 0 ? 0 : columns[0].length;
  const rows: Row[] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = shape.row((j) => normalise(columns[j][i]));
  return rows;
}
