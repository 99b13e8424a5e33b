/**
 * The seam between pipeline models and the SQL engine that runs them. Models are engine-neutral
 * SQL plus a few named functions every engine provides (`fitlake_ts`, `fitlake_local_date`,
 * `fitlake_local_hour`, `fitlake_norm_sku`, and `fitlake_row_status` / `fitlake_row_reason`, which
 * give an audited row its fate from its copy number and problem; `fitlake_day_start` (a local date's
 * midnight as an instant) and `fitlake_known_date(d, source_file, batch_id)` (the day a record
 * became known: the day after its landing file's drop date, or after its event date if later; a drop
 * date after the day its batch was ingested is impossible, and that day counts instead)); DuckDB
 * implements it now, Spark later.
 */
export interface Engine {
  /** Engine name, for logs and run records. */
  readonly name: string;
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
