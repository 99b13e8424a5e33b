import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createExclusive, writeFileAtomic } from '../core/atomic_fs';
import type { Row } from '../pipelines/engine/duckdb/db';
import { ConflictError } from '../core/errors';
import { readJsonFile } from '../core/json';
import type { Logger } from '../core/logger';
import { noProgress, type Progress } from '../core/progress';
import { ttlMs, type FeatureView } from './define';
import type { Definitions } from './definitions';
import type { OfflineStore } from './offline/offline_store';
import type { OnlineStore } from './online/online_store';

export const MaterializationSchema = z
  .object({
    id: z.string(),
    started_at: z.string(),
    finished_at: z.string(),
    online_store: z.string(),
    registry_version: z.number().int(),
    views: z.array(
      z
        .object({
          view: z.string(),
          start: z.string(),
          end: z.string(),
          /** Entities with a value in [start, end]. */
          rows: z.number().int(),
          /** Of those, written (the rest were older than what the online store held). */
          written: z.number().int(),
          /** Entities holding a value of the view online afterwards. */
          online_keys: z.number().int(),
        })
        .strict(),
    ),
  })
  .strict();
export type Materialization = z.infer<typeof MaterializationSchema>;

/** The record of materializations: `<lakehouse>/features/materializations/<id>.json`, and statistics in `features/stats/<id>.json`. */
export class MaterializationLog {
  constructor(private readonly root: string) {}

  private get dir(): string {
    return join(this.root, 'features', 'materializations');
  }

  list(): Materialization[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort()
      .map((n) => readJsonFile(join(this.dir, n), MaterializationSchema, 'materialization record'));
  }

  /** End of the latest materialization of `view`, or null when it was never materialized. */
  lastEnd(view: string): Date | null {
    const ends = this.list().flatMap((m) => m.views.filter((v) => v.view === view).map((v) => v.end));
    return ends.length ? new Date(ends.sort().at(-1)!) : null;
  }

  /**
   * What the online store of type `onlineStore` should hold for `view`: every entity with a value in
   * [the earliest start, the latest end] of the view's materializations into that store type.
   */
  window(view: string, onlineStore: string): { start: Date; end: Date } | null {
    const runs = this.list().flatMap((m) => (m.online_store === onlineStore ? m.views.filter((v) => v.view === view) : []));
    if (runs.length === 0) return null;
    const starts = runs.map((r) => r.start).sort();
    const ends = runs.map((r) => r.end).sort();
    return { start: new Date(starts[0]), end: new Date(ends.at(-1)!) };
  }

  record(m: Materialization, stats: Record<string, Row[]>): void {
    writeFileAtomic(join(this.root, 'features', 'stats', `${m.id}.json`), JSON.stringify({ materialization: m.id, views: stats }, null, 1) + '\n');
    if (!createExclusive(join(this.dir, `${m.id}.json`), JSON.stringify(m, null, 1) + '\n')) throw new ConflictError(`materialization ${m.id} was already recorded`);
  }

  statistics(id: string): { materialization: string; views: Record<string, Row[]> } | null {
    const path = join(this.root, 'features', 'stats', `${id}.json`);
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
  }
}

export interface MaterializeDeps {
  offline: OfflineStore;
  online: OnlineStore;
  log: MaterializationLog;
  logger: Logger;
  progress?: Progress;
  now: () => Date;
}

/** Sortable id from the clock: 20260102T030405123Z. */
const idFor = (d: Date) => d.toISOString().replace(/[-:.]/g, '');

/**
 * Pushes each online view's latest value per entity with feature_ts in [start, end] (and created by
 * `end`) to the online store, then records what was materialized and the values' statistics.
 * `start` per view: given, or (incremental) the view's last materialized end, else end − ttl.
 */
export async function materialize(
  defs: Definitions & { version?: number },
  range: { start?: Date; end: Date; incremental: boolean; views?: string[] },
  deps: MaterializeDeps,
): Promise<Materialization> {
  const started = deps.now();
  const views = defs.views.filter((v) => v.online && (!range.views || range.views.includes(v.name)));
  const progress = deps.progress ?? noProgress;
  const out: Materialization['views'] = [];
  const stats: Record<string, Row[]> = {};
  progress.start('materialize', views.length);
  for (const view of views) {
    const start = viewStart(view, range, deps.log);
    const key = defs.entities.find((e) => e.name === view.entities[0])!;
    const { rows, statistics } = await deps.offline.latest(view, key.joinKey, start, range.end, { statistics: true });
    const written = await deps.online.write(view.name, key.name, view.schema.map((f) => f.name), rows);
    stats[view.name] = statistics;
    const onlineKeys = await deps.online.count(view.name, key.name);
    out.push({ view: view.name, start: start.toISOString(), end: range.end.toISOString(), rows: rows.length, written, online_keys: onlineKeys });
    deps.logger.info({ view: view.name, rows: rows.length, written, start, end: range.end }, 'materialized');
    progress.tick();
  }
  progress.stop();
  const finished = deps.now();
  const m: Materialization = { id: idFor(started), started_at: started.toISOString(), finished_at: finished.toISOString(), online_store: deps.online.type, registry_version: defs.version ?? 0, views: out };
  deps.log.record(m, stats);
  return m;
}

function viewStart(view: FeatureView, range: { start?: Date; end: Date; incremental: boolean }, log: MaterializationLog): Date {
  if (range.start) return range.start;
  if (!range.incremental) return new Date(0);
  const last = log.lastEnd(view.name);
  if (last) return last;
  const ttl = ttlMs(view.ttl);
  return ttl > 0 ? new Date(range.end.getTime() - ttl) : new Date(0);
}
