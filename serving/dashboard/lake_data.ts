import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Db, type Row } from '../../pipelines/engine/duckdb/db';
import { createLakeViews } from '../../pipelines/runner/reader';
import { LAYER_MANIFEST } from '../../pipelines/runner/table_store';

/** A dataset: named queries over the current silver/gold tables, answered together as one JSON object. */
export type Queries = Record<string, string>;

/**
 * The dashboard's read side of the lakehouse: one in-memory DuckDB with a view per current silver and
 * gold table, re-created when a layer's manifest changes; each dataset's answer is kept until then, so
 * a page's data costs its queries once per pipeline run. Queries run one at a time (one connection).
 */
export class LakeData {
  private db: Db | null = null;
  private viewsOf = '';
  private readonly cache = new Map<string, { version: string; value: Promise<Record<string, Row[]>> }>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly root: string,
    private readonly limits: { memoryLimit?: string; threads?: number } = {},
  ) {}

  /** The silver and gold manifests' versions and commit times (changes when a pipeline run swaps either layer). */
  version(): string {
    return ['silver', 'gold']
      .map((layer) => {
        const path = join(this.root, layer, LAYER_MANIFEST);
        if (!existsSync(path)) return '0';
        const m = JSON.parse(readFileSync(path, 'utf8')) as { version: number; committed_at: string };
        return `${m.version}@${m.committed_at}`;
      })
      .join('|');
  }

  /** The answers of `queries` (cached under `name` until the lake changes). */
  dataset(name: string, queries: Queries): Promise<Record<string, Row[]>> {
    const version = this.version();
    const hit = this.cache.get(name);
    if (hit?.version === version) return hit.value;
    const value = this.serial(async () => {
      const out: Record<string, Row[]> = {};
      for (const [key, sql] of Object.entries(queries)) out[key] = await this.all(sql, version);
      return out;
    });
    this.cache.set(name, { version, value });
    value.catch(() => this.cache.get(name)?.value === value && this.cache.delete(name));
    return value;
  }

  /** One bounded query, not cached (a member's rows, a filtered list). */
  query(sql: string): Promise<Row[]> {
    return this.serial(() => this.all(sql, this.version()));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async all(sql: string, version: string): Promise<Row[]> {
    if (!this.db) this.db = await Db.open(this.limits);
    if (this.viewsOf !== version) {
      await createLakeViews(this.db, this.root);
      this.viewsOf = version;
    }
    return plain(await this.db.all(sql));
  }

  /** Closes the database once the queries in flight are done (later ones open it again). */
  async close(): Promise<void> {
    await this.queue;
    this.db?.close();
    this.db = null;
  }
}

/** Rows as JSON can carry them: instants as ISO strings, big integers and decimals as numbers (queries cast dates to text). */
function plain(rows: Row[]): Row[] {
  for (const r of rows) {
    for (const k in r) {
      const v = r[k];
      if (typeof v === 'bigint') r[k] = Number(v);
      else if (v instanceof Date) r[k] = v.toISOString();
      else if (v !== null && typeof v === 'object' && 'toDouble' in v && typeof v.toDouble === 'function') r[k] = v.toDouble();
    }
  }
  return rows;
}
