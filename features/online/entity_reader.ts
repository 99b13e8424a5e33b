import { ttlMs } from '../define';
import type { ViewSelection } from '../refs';
import type { OnlineStore, ViewRead } from './online_store';

/** How usable one entity's online vector is. */
export type Freshness = 'fresh' | 'stale' | 'partial' | 'missing';

/** One entity's online features as a row (feature name → value), for scoring. */
export interface EntityFeatures {
  key: string;
  /** Feature name → value; null where the view has no row or its row is older than the TTL. */
  values: Record<string, unknown>;
  /** The oldest feature timestamp among the views that have a row (ISO), null when none has. */
  featureTs: string | null;
  /** fresh: every view present within its TTL · stale: some view outside its TTL · partial: some view missing · missing: no view has a row. */
  freshness: Freshness;
  missingViews: string[];
  staleViews: string[];
}

/**
 * A pre-resolved online read for a fixed set of features (a model's inputs): one store round trip
 * per call, TTLs applied against `now`, rows returned by entity (the shape scorers want).
 */
export class EntityReader {
  private readonly reads: ViewRead[];
  private readonly ttls: number[];
  readonly entity: string;

  constructor(private readonly online: OnlineStore, readonly selections: ViewSelection[]) {
    this.entity = selections[0].entity.name;
    this.reads = selections.map((s) => ({ view: s.view.name, names: s.features.map((f) => f.name) }));
    this.ttls = selections.map((s) => ttlMs(s.view.ttl));
  }

  async read(keys: readonly string[], now: Date): Promise<EntityFeatures[]> {
    const byView = await this.online.read(this.entity, this.reads, keys);
    const t = now.getTime();
    return keys.map((key, i) => {
      const values: Record<string, unknown> = {};
      const missingViews: string[] = [];
      const staleViews: string[] = [];
      let oldest = Infinity;
      this.reads.forEach((r, v) => {
        const row = byView[v][i];
        const stale = row !== null && this.ttls[v] > 0 && t - row.featureTs > this.ttls[v];
        if (row === null) missingViews.push(r.view);
        else {
          oldest = Math.min(oldest, row.featureTs);
          if (stale) staleViews.push(r.view);
        }
        for (const name of r.names) values[name] = row === null || stale ? null : (row.values[name] ?? null);
      });
      const freshness: Freshness = missingViews.length === this.reads.length ? 'missing' : missingViews.length ? 'partial' : staleViews.length ? 'stale' : 'fresh';
      return { key, values, featureTs: Number.isFinite(oldest) ? new Date(oldest).toISOString() : null, freshness, missingViews, staleViews };
    });
  }
}
