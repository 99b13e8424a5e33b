import { closeSync, existsSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { z } from 'zod';
import { DataError } from '../../core/errors';
import { faultPoint } from '../../core/faults';
import { readJsonFile } from '../../core/json';
import type { LatestRow } from '../offline/offline_store';
import type { OnlineStore, StoredRow, ViewRead } from './online_store';

/** A view's columns: values are stored as `[feature_ts ms, created_ts ms, ...values in names order]`. */
interface ViewMeta {
  entity: string;
  names: string[];
}

type Encoded = unknown[];

/** The store before LMDB: one JSON file per view (read once, to carry its values over). */
const LegacyFileSchema = z.object({ view: z.string(), entity: z.string(), names: z.array(z.string()), rows: z.record(z.string(), z.array(z.unknown())) }).strict();

export const EMBEDDED_FILE = 'embedded.mdb';

/**
 * Whether `path` starts like an LMDB environment: two meta pages, each carrying LMDB's magic, and a
 * sane page size. LMDB itself has no checksums and may crash the process on a foreign or truncated
 * file, so this is checked before opening (damage deeper inside a valid file is not detected).
 */
function lmdbProblem(path: string): string | null {
  if (!existsSync(path)) return null;
  const head = Buffer.alloc(2 * 65536);
  let n: number;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    return `it cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  const MAGIC = 0xbeefc0de;
  if (n < 64 || head.readUInt32LE(24) !== MAGIC) return 'it is not an LMDB environment (no meta page)';
  const pageSize = head.readUInt32LE(48);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return `its page size ${pageSize} is not valid`;
  if (n < 2 * pageSize || head.readUInt32LE(pageSize + 24) !== MAGIC) return 'it is truncated or torn (the second meta page is missing)';
  return null;
}

const plain = (v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : (v ?? null));

/**
 * The embedded online store: an LMDB environment at `<lakehouse>/features/online/embedded.mdb`,
 * one named database per view (key = entity key, value = msgpack `[feature_ts, created_ts, …values]`)
 * and `_views` holding each view's columns. Memory-mapped: a read is a B-tree lookup in the page
 * cache, nothing is loaded into the heap, and readers in other processes see each committed write on
 * their next read. Materialization writes a view in one transaction, so readers see the values
 * before it or after it, never half, and a crash mid-write leaves the previous values.
 */
export class EmbeddedOnlineStore implements OnlineStore {
  readonly type = 'embedded';
  private env: RootDatabase | null = null;
  private meta: Database<ViewMeta, string> | null = null;
  private readonly views = new Map<string, Database<Encoded, string>>();
  /** The inode of the file opened: a file swapped in by rename is reopened on `refresh()`. */
  private inode = 0;

  constructor(private readonly dir: string) {}

  static at(root: string): EmbeddedOnlineStore {
    return new EmbeddedOnlineStore(join(root, 'features', 'online'));
  }

  get path(): string {
    return join(this.dir, EMBEDDED_FILE);
  }

  /** Opens the environment on first use; a file that is not an LMDB environment is named in the error. */
  private root(): RootDatabase {
    if (this.env) return this.env;
    const fresh = !existsSync(this.path);
    const problem = lmdbProblem(this.path);
    if (problem) throw new DataError(`online store file ${this.path} cannot be opened: ${problem}; move it aside and run \`fitlake features materialize\` (everything from the beginning) to rebuild it`);
    try {
      this.env = open({ path: this.path, maxDbs: 256, encoding: 'msgpack', compression: false });
      this.meta = this.env.openDB<ViewMeta, string>('_views', { encoding: 'msgpack' });
      this.inode = statSync(this.path).ino;
    } catch (e) {
      this.env = null;
      throw new DataError(`online store file ${this.path} cannot be opened as an LMDB environment (${(e as Error).message}); move it aside and run \`fitlake features materialize\` to rebuild it`);
    }
    if (fresh) this.importLegacy();
    return this.env;
  }

  private db(view: string): Database<Encoded, string> {
    let d = this.views.get(view);
    if (!d) {
      d = this.root().openDB<Encoded, string>(`view:${view}`, { encoding: 'msgpack' });
      this.views.set(view, d);
    }
    return d;
  }

  private columns(view: string): ViewMeta | undefined {
    this.root();
    return this.meta!.get(view);
  }

  /** Carries the values of a JSON store (one `<view>.json` per view, before LMDB) over once, then removes the files. */
  private importLegacy(): void {
    const files = existsSync(this.dir) ? readdirSync(this.dir).filter((f) => f.endsWith('.json')) : [];
    for (const f of files) {
      const { view, entity, names, rows } = readJsonFile(join(this.dir, f), LegacyFileSchema, 'online store file');
      const db = this.db(view);
      this.env!.transactionSync(() => {
        this.meta!.putSync(view, { entity, names });
        for (const [key, r] of Object.entries(rows)) db.putSync(key, r);
      });
      rmSync(join(this.dir, f));
    }
  }

  /**
   * Checks the file serving reads: one swapped in by rename (a restored backup, another store) is
   * reopened; one that is no longer an LMDB environment is reported (DataError) while the values
   * already mapped keep being served. Never overwrite the file in place while it is open.
   */
  refresh(): void {
    if (!this.env || !existsSync(this.path) || statSync(this.path).ino === this.inode) return;
    const problem = lmdbProblem(this.path);
    if (problem) throw new DataError(`online store file ${this.path} ${problem.replace(/^it /, '')} (the values loaded before are still served)`);
    const old = this.env;
    this.env = null;
    this.views.clear();
    this.root();
    void old.close();
  }

  async write(view: string, entity: string, names: string[], rows: LatestRow[]): Promise<number> {
    const db = this.db(view);
    const sameColumns = this.columns(view)?.names.join('\u0000') === names.join('\u0000');
    let written = 0;
    this.root().transactionSync(() => {
      if (!sameColumns) {
        db.clearSync();
        this.meta!.putSync(view, { entity, names });
      }
      for (const r of rows) {
        const ts = r.featureTs.getTime();
        const old = sameColumns ? db.get(r.key) : undefined;
        if (old && Number(old[0]) > ts) continue;
        db.putSync(r.key, [ts, r.createdTs.getTime(), ...names.map((_, i) => plain(r.values[i]))]);
        written++;
        if (written === 1) faultPoint('online.mid_write');
      }
    });
    return written;
  }

  async read(_entity: string, views: readonly ViewRead[], keys: readonly string[]): Promise<(StoredRow | null)[][]> {
    return views.map((v) => {
      // a view never written has no database yet: opening one would take the write lock a writer may hold
      const names = this.columns(v.view)?.names;
      if (!names) return keys.map(() => null);
      const db = this.db(v.view);
      return keys.map((k) => {
        const r = db.get(k);
        if (!r) return null;
        const values: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) values[names[i]] = r[i + 2] ?? null;
        return { featureTs: Number(r[0]), createdTs: Number(r[1]), values };
      });
    });
  }

  async count(view: string): Promise<number> {
    return this.columns(view) ? this.db(view).getCount() : 0;
  }

  async close(): Promise<void> {
    const env = this.env;
    this.env = null;
    this.meta = null;
    this.views.clear();
    await env?.close();
  }
}
