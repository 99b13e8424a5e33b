import type { Row } from '../../pipelines/engine/duckdb/db';
import type { Definitions } from '../definitions';
import type { FeatureView } from '../define';
import type { ViewSelection } from '../refs';

/** Rows to join features to: each has the view entities' join keys and an `event_timestamp`. */
export type EntitySource =
  | { rows: readonly Row[] }
  /** A SQL query over the lakehouse's silver/gold tables returning join keys, `event_timestamp` and any other columns (labels), which pass through. */
  | { sql: string };

/** A point-in-time joined dataset, held by the store until `close`. */
export interface HistoricalFeatures {
  /** Output columns: the entity source's columns, then one per feature. */
  readonly columns: string[];
  /** Number of rows (one per entity row, in the entity source's order). */
  count(): Promise<number>;
  /** All rows as plain objects. */
  rows(): Promise<Row[]>;
  /** Writes the rows to a Parquet file (atomically). */
  toParquet(path: string): Promise<void>;
  /** Releases the temporary table. */
  close(): Promise<void>;
}

export interface HistoricalOptions {
  /** Name columns `view__feature` instead of `feature` (needed when two views share a feature name). */
  fullFeatureNames?: boolean;
  /** Skip the TTL check (the skew check compares with what materialization pushed, regardless of age). */
  ignoreTtl?: boolean;
}

/** What one build step did for a view's offline table. */
export interface BuildReport {
  view: string;
  action: 'built' | 'skipped';
  rows: number;
  seconds: number;
}

/** The latest value per entity of one view, as materialization pushes it online. */
export interface LatestRow {
  key: string;
  featureTs: Date;
  createdTs: Date;
  values: unknown[];
}

/**
 * Historical feature values. Implementations: DuckDB over the Parquet lakehouse (`duckdb`).
 * Chosen by `features.offline.type` in the configuration.
 */
export interface OfflineStore {
  readonly type: string;
  /**
   * Builds each view's offline table from the lakehouse when its definition or the silver/gold
   * tables changed since the last build (otherwise skips it). Each table is swapped in atomically.
   */
  build(defs: Definitions, opts?: { force?: boolean; views?: string[] }): Promise<BuildReport[]>;
  /**
   * Point-in-time join: for each entity row and view, the row with the latest `feature_ts <=
   * event_timestamp` among those created at or before `event_timestamp` (ties: latest created_ts),
   * null when none or when older than the view's TTL. Never a value created after the row's time.
   */
  getHistoricalFeatures(entities: EntitySource, selections: ViewSelection[], opts?: HistoricalOptions): Promise<HistoricalFeatures>;
  /** The newest feature_ts in a view's table (null when empty). */
  newestFeatureTs(view: FeatureView): Promise<Date | null>;
  /**
   * Per entity, the latest row with `start <= feature_ts <= end` and `created_ts <= end`, and (when
   * asked) per-feature statistics of those rows: count, nulls, mean, std, quantiles or top values.
   */
  latest(view: FeatureView, keyColumn: string, start: Date, end: Date, opts?: { statistics?: boolean }): Promise<{ rows: LatestRow[]; statistics: Row[] }>;
  /** Releases resources. */
  close(): void;
}
