/**
 * The seam between pipeline models and the SQL engine that runs them. Models are engine-neutral
 * SQL plus a few named functions every engine provides (`fitlake_ts`, `fitlake_local_date`, `fitlake_epoch_ms`,
 * `fitlake_local_hour`, `fitlake_local_minute` (minutes past local midnight on the wall clock), `fitlake_norm_sku`, and `fitlake_row_status` / `fitlake_row_reason`, which
 * give an audited row its fate from its copy number and problem; `fitlake_day_start` (a local date's
 * midnight as an instant) and `fitlake_known_date(d, source_file, batch_id)` (the day a record
 * became known: the day after its landing file's drop date, or after its event date if later; a drop
 * date after the day its batch was ingested is impossible, and that day counts instead)); DuckDB
 * and Spark implement it.
 */
export interface Engine {
  /** Engine name, for logs and run records. */
  readonly name: string;
  /**
   * How the engine keeps silver and gold: `files` — the runner's versioned Parquet files are the
   * tables; `delta` — each table is a Delta table, and a built version becomes current when the
   * engine commits it (`commitTables`).
   */
  readonly tableFormat: 'files' | 'delta';
  /** Whether the engine's SQL has an `ASOF JOIN` (DuckDB's: each left row joined to the right row with the latest key at or before its own). */
  readonly asofJoin: boolean;
  /**
   * Commits built table versions as each table's next Delta version (several tables at once, each
   * its own Delta commit, `message` in each commit's userMetadata). Returns each table's committed
   * version, or null when there was nothing to commit (no rows and no table yet). `files` engines
   * commit nothing and return nulls.
   */
  commitTables(commits: readonly TableCommit[], message: string): Promise<(number | null)[]>;
  /** Makes `name` readable by later SQL as the given Parquet files (an empty list is an error). */
  registerParquet(name: string, files: readonly string[]): Promise<void>;
  /** Makes `name` readable as the result of `sql` without materializing it. */
  registerView(name: string, sql: string): Promise<void>;
  /** Writes the result of `sql` to one Parquet file at `path` (not atomically; callers stage). Returns the row count. */
  writeParquet(sql: string, path: string): Promise<number>;
  /**
   * Writes the result of `sql` as one Parquet file per value of `column` under `dir`
   * (`<column>=<value>/part-<tag>-<n>.parquet`, the column kept inside the files). Returns the files.
   */
  writeParquetPartitioned(sql: string, dir: string, column: string, tag: string): Promise<{ partition: string; path: string; rows: number }[]>;
  /** Runs statements whose results are not needed (temporary tables, settings). */
  execute(sql: string): Promise<void>;
  /** Runs a query and returns plain rows. */
  query<T extends Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Releases the engine's resources. */
  close(): void;
}

/** A built table version to commit (see `Engine.commitTables`). */
export interface TableCommit {
  /** The table's folder (the Delta table's root). */
  dir: string;
  /** The built version's data files: the whole table's, or with `replace` only those partitions'. */
  files: string[];
  /** The DATE column the table is partitioned by. */
  partitionBy?: string;
  /** Partition values to replace, the others staying as committed; absent: the whole table. */
  replace?: string[];
}
