import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../core/atomic_fs';
import { DataError } from '../../core/errors';
import { readJsonFile } from '../../core/json';
import type { LatestRow } from '../offline/offline_store';
import type { OnlineStore, StoredRow, ViewRead } from './online_store';

const FileSchema = z
  .object({
    view: z.string(),
    entity: z.string(),
    names: z.array(z.string()),
    /** key → [feature_ts ms, created_ts ms, ...values in `names` order] */
    rows: z.record(z.string(), z.array(z.unknown())),
  })
  .strict();

interface ViewTable {
  names: string[];
  rows: Map<string, StoredRow>;
  mtimeMs: number;
}

/**
 * The embedded online store: one JSON file per view under `<lakehouse>/features/online/`, written
 * atomically by materialization and held in memory as a Map by readers (a read is a hash lookup).
 * A reader notices a newer file on `refresh()` and swaps the whole table at once.
 */
export class EmbeddedOnlineStore implements OnlineStore {
  readonly type = 'embedded';
  private readonly tables = new Map<string, ViewTable>();

  constructor(private readonly dir: string) {}

  static at(root: string): EmbeddedOnlineStore {
    return new EmbeddedOnlineStore(join(root, 'features', 'online'));
  }

  private path(view: string): string {
    return join(this.dir, `${view}.json`);
  }

  private load(view: string): ViewTable {
    const path = this.path(view);
    if (!existsSync(path)) return { names: [], rows: new Map(), mtimeMs: 0 };
    const { names, rows } = readJsonFile(path, FileSchema, 'online store file');
    const map = new Map<string, StoredRow>();
    for (const [key, r] of Object.entries(rows)) {
      map.set(key, { featureTs: Number(r[0]), createdTs: Number(r[1]), values: Object.fromEntries(names.map((n, i) => [n, r[i + 2] ?? null])) });
    }
    return { names, rows: map, mtimeMs: statSync(path).mtimeMs };
  }

  private table(view: string): ViewTable {
    let t = this.tables.get(view);
    if (!t) {
      t = this.load(view);
      this.tables.set(view, t);
    }
    return t;
  }

  /**
   * Reloads every view whose file changed since it was loaded. A view whose new file cannot be read
   * keeps the table loaded before (readers go on); the failures are thrown together afterwards.
   */
  refresh(): void {
    const failures: string[] = [];
    for (const [view, t] of this.tables) {
      const path = this.path(view);
      try {
        if (existsSync(path) && statSync(path).mtimeMs !== t.mtimeMs) this.tables.set(view, this.load(view));
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
    if (failures.length) throw new DataError(`${failures.join('; ')} (the values loaded before are still served)`);
  }

  async write(view: string, entity: string, names: string[], rows: LatestRow[]): Promise<number> {
    const current = this.load(view);
    const merged = new Map<string, StoredRow>(current.names.join() === names.join() ? current.rows : []);
    let written = 0;
    for (const r of rows) {
      const old = merged.get(r.key);
      if (old && old.featureTs > r.featureTs.getTime()) continue;
      merged.set(r.key, { featureTs: r.featureTs.getTime(), createdTs: r.createdTs.getTime(), values: Object.fromEntries(names.map((n, i) => [n, r.values[i] ?? null])) });
      written++;
    }
    const out: Record<string, unknown[]> = {};
    for (const key of [...merged.keys()].sort()) {
      const s = merged.get(key)!;
      out[key] = [s.featureTs, s.createdTs, ...names.map((n) => s.values[n] ?? null)];
    }
    writeFileAtomic(this.path(view), JSON.stringify({ view, entity, names, rows: out }));
    this.tables.set(view, this.load(view));
    return written;
  }

  async read(_entity: string, views: readonly ViewRead[], keys: readonly string[]): Promise<(StoredRow | null)[][]> {
    return views.map((v) => {
      const t = this.table(v.view);
      return keys.map((k) => t.rows.get(k) ?? null);
    });
  }

  async count(view: string): Promise<number> {
    return this.table(view).rows.size;
  }

  async close(): Promise<void> {
    this.tables.clear();
  }
}
