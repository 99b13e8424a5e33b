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

/** The events of one view known at a time, held as a query until read. */
export interface EventRows {
  /** Output columns: the join key, `feature_ts`, `created_ts`, then the features asked for. */
  readonly columns: string[];
  /** Number of events. */
  count(): Promise<number>;
  /** The events in (feature_ts, key) order; `keyShare` < 1 keeps a deterministic sample of whole entities (`keySample`); `limit`: the first so many. */
  rows(opts?: { keyShare?: number; limit?: number }): Promise<Row[]>;
}

/** What one build step did for an offline table (the views stored together in it). */
export interface BuildReport {
  table: string;
  views: string[];
  /** `built`: written in full; `updated`: rewritten from day `from` on; `skipped`: nothing changed. */
  action: 'built' | 'updated' | 'skipped';
  /** Rows in the table after the step. */
  rows: number;
  /** Rows this step wrote. */
  written: number;
  /** The first day an update rewrote. */
  from?: string;
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
   * Builds the offline tables from the lakehouse: views sharing an entity and a daily spine are one
   * table. A table whose definition changed is rebuilt; one whose inputs changed is rewritten from
   * the first day whose inputs changed; the rest are skipped. Each table is swapped in atomically.
   * `views` limits the build to the tables holding them.
   */
  build(defs: Definitions, opts?: { force?: boolean; views?: string[] }): Promise<BuildReport[]>;
  /**
   * Point-in-time join: for each entity row and view, the row with the latest `feature_ts <=
   * event_timestamp` among those created at or before `event_timestamp` (ties: latest created_ts),
   * null when none or when older than the view's TTL. Never a value created after the row's time.
   */
  getHistoricalFeatures(entities: EntitySource, selections: ViewSelection[], opts?: HistoricalOptions): Promise<HistoricalFeatures>;
  /**
   * Every row of an events view known at `asOf`: `feature_ts <= asOf` and `created_ts <= asOf`
   * (a late event is absent until it arrived; never a row created after `asOf`).
   */
  getEvents(selection: ViewSelection, asOf: Date): Promise<EventRows>;
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
