import { ttlMs } from '../define';
import type { LatestRow } from '../offline/offline_store';
import type { ViewSelection } from '../refs';

/** Feast's online read statuses. A value OUTSIDE_MAX_AGE comes back as null with its timestamp. */
export type FeatureStatus = 'PRESENT' | 'NULL_VALUE' | 'NOT_FOUND' | 'OUTSIDE_MAX_AGE';

/** One entity's stored values of one view, in the order of `names` given at write time. */
export interface StoredRow {
  featureTs: number;
  createdTs: number;
  values: Record<string, unknown>;
}

/** One view's features to read. */
export interface ViewRead {
  view: string;
  names: string[];
}

/** The response of an online read, column-major like Feast's feature server: one result per column. */
export interface OnlineFeatures {
  metadata: { feature_names: string[] };
  results: { values: unknown[]; statuses: FeatureStatus[]; event_timestamps: (string | null)[] }[];
}

/**
 * The latest feature values per entity, for serving. Implementations: `embedded` (in-process,
 * loaded from the latest materialization, no server) and `redis`. Chosen by `features.online.type`.
 */
export interface OnlineStore {
  readonly type: string;
  /**
   * Stores each row's values of `view` under its entity key. A row older (by feature_ts) than what
   * is stored for that key is skipped, so replays and out-of-order materializations never regress a
   * value. Returns the number of rows written.
   */
  write(view: string, entity: string, names: string[], rows: LatestRow[]): Promise<number>;
  /**
   * The stored rows of each requested view for each key (`result[view][key]`, null when none), raw:
   * no TTL applied. All views of one entity are read together (one round trip per key for Redis).
   */
  read(entity: string, views: readonly ViewRead[], keys: readonly string[]): Promise<(StoredRow | null)[][]>;
  /** Number of entity keys holding a value of `view`. */
  count(view: string, entity: string): Promise<number>;
  /** Releases connections and memory. */
  close(): Promise<void>;
  /**
   * Stores that cache in process (embedded) re-read what another process materialized since; stores
   * that read through (Redis) need not implement it.
   */
  refresh?(): void;
}

/**
 * Reads `selections` for `keys` from any online store and applies each view's TTL against `now`:
 * NOT_FOUND (no row), OUTSIDE_MAX_AGE (older than the TTL: value withheld), NULL_VALUE, PRESENT.
 */
export async function getOnlineFeatures(store: OnlineStore, selections: ViewSelection[], keys: readonly string[], now: Date, fullNames = false): Promise<OnlineFeatures> {
  const joinKey = selections[0]?.entity.joinKey ?? 'key';
  const out: OnlineFeatures = {
    metadata: { feature_names: [joinKey] },
    results: [{ values: [...keys], statuses: keys.map(() => 'PRESENT'), event_timestamps: keys.map(() => null) }],
  };
  const reads = selections.map((s) => ({ view: s.view.name, names: s.features.map((f) => f.name) }));
  const byView = await store.read(selections[0].entity.name, reads, keys);
  for (const [v, s] of selections.entries()) {
    const names = reads[v].names;
    const rows = byView[v];
    const ttl = ttlMs(s.view.ttl);
    const stamps = rows.map((row) => (row === null ? null : new Date(row.featureTs).toISOString()));
    const stale = rows.map((row) => row !== null && ttl > 0 && now.getTime() - row.featureTs > ttl);
    for (const name of names) {
      out.metadata.feature_names.push(fullNames ? `${s.view.name}__${name}` : name);
      const col: OnlineFeatures['results'][number] = { values: [], statuses: [], event_timestamps: [] };
      rows.forEach((row, i) => {
        const value = row === null || stale[i] ? null : (row.values[name] ?? null);
        col.values.push(value);
        col.statuses.push(row === null ? 'NOT_FOUND' : stale[i] ? 'OUTSIDE_MAX_AGE' : value === null ? 'NULL_VALUE' : 'PRESENT');
        col.event_timestamps.push(stamps[i]);
      });
      out.results.push(col);
    }
  }
  return out;
}
