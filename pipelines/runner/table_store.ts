import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../core/atomic_fs';
import { faultPoint } from '../../core/faults';
import { readJsonFile } from '../../core/json';
import { DELTA_LOG } from '../delta/delta_log';

export const PointerSchema = z
  .object({
    table: z.string(),
    version: z.number().int().min(1),
    file: z.string(),
    rows: z.number().int(),
    /** Hash of the model's SQL and its inputs' versions: equal means nothing to rebuild. */
    fingerprint: z.string(),
    built_at: z.string(),
    /** Partitioned tables: the partition column and the files of each value (file is then ''). */
    partition_by: z.string().optional(),
    partitions: z.record(z.string(), z.object({ files: z.array(z.string()), rows: z.number().int() }).strict()).optional(),
    /** Incremental bookkeeping: SQL hash, inputs' fingerprints, bronze batch read per feed. */
    sql_hash: z.string().optional(),
    inputs: z.record(z.string(), z.string()).optional(),
    bronze_batches: z.record(z.string(), z.number().int()).optional(),
    /** `delta`: the table is a Delta table (Spark engine) and this is its version `delta_version`; absent: versioned files. */
    format: z.enum(['files', 'delta']).optional(),
    delta_version: z.number().int().min(0).optional(),
    /** Unpartitioned Delta tables, and offline feature tables built in buckets: their data files (file is then ''). */
    files: z.array(z.string()).optional(),
    /** Facts about the data verified when the version was written, for readers to plan queries by. */
    properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();
export type Pointer = z.infer<typeof PointerSchema>;

const LayerSchema = z
  .object({
    /** Increases by one per swap. */
    version: z.number().int().min(1),
    committed_at: z.string(),
    tables: z.record(z.string(), PointerSchema),
  })
  .strict();
export type Layer = z.infer<typeof LayerSchema>;

export const LAYER_MANIFEST = '_layer.json';
const LEGACY_POINTER = '_current.json';

/**
 * A layer's tables (silver, gold, offline features) as versioned Parquet files under one manifest:
 * `<layer>/<table>/data-<version>.parquet` (or partition folders) and `<layer>/_layer.json`, which
 * names every table's current version. A swap — of one table or of all a run rebuilt — writes a new
 * manifest aside and renames it over the old one: a reader that reads the manifest once sees the
 * whole old layer or the whole new one, never a mix, and a crash at any point leaves one of the two.
 * Each table's previous version is kept one swap longer for readers still holding it. One writer per
 * layer at a time (the pipeline's and the feature build's locks).
 */
export class TableStore {
  constructor(private readonly layerDir: string) {}

  /** Where the manifest lives. */
  get manifestPath(): string {
    return join(this.layerDir, LAYER_MANIFEST);
  }

  /** Every current table of the layer, from one read of the manifest. */
  snapshot(): Record<string, Pointer> {
    return this.layer()?.tables ?? {};
  }

  private layer(): Layer | null {
    if (existsSync(this.manifestPath)) {
      return readJsonFile(this.manifestPath, LayerSchema, 'layer manifest', 'run `fitlake pipeline run --full-refresh` (or `fitlake features build --force` for feature tables) to rebuild the layer');
    }
    return this.legacyLayer();
  }

  /** A layer written before manifests: one `_current.json` per table (read until the next swap replaces them). */
  private legacyLayer(): Layer | null {
    if (!existsSync(this.layerDir)) return null;
    const tables: Record<string, Pointer> = {};
    for (const name of readdirSync(this.layerDir).sort()) {
      const p = join(this.layerDir, name, LEGACY_POINTER);
      if (existsSync(p)) tables[name] = readJsonFile(p, PointerSchema, 'table pointer', 'run `fitlake pipeline run --full-refresh`');
    }
    return Object.keys(tables).length > 0 ? { version: 0, committed_at: '', tables } : null;
  }

  current(table: string): Pointer | null {
    return this.snapshot()[table] ?? null;
  }

  /** Absolute paths of a version's data files (one, or one per partition). */
  files(p: Pointer): string[] {
    const rel = p.partitions ? Object.keys(p.partitions).sort().flatMap((k) => p.partitions![k].files) : (p.files ?? [p.file]);
    return rel.map((f) => join(this.layerDir, p.table, f));
  }

  /** Absolute paths of the current version's data files, or null when the table does not exist. */
  currentFiles(table: string): string[] | null {
    const c = this.current(table);
    return c ? this.files(c) : null;
  }

  /** The folder of a table's files (a Delta table's root). */
  tableDir(table: string): string {
    return join(this.layerDir, table);
  }

  /** A fresh path to build the next version at (nothing reads it until `swap`). */
  stage(table: string): { version: number; path: string; file: string } {
    const dir = join(this.layerDir, table);
    mkdirSync(dir, { recursive: true });
    const versions = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .map((n) => /(?:^|\/)(?:data|part)-(\d+)[-.]/.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
    const version = Math.max(0, this.current(table)?.version ?? 0, ...versions) + 1;
    const file = `data-${version}.parquet`;
    return { version, path: join(dir, file), file };
  }

  /**
   * Makes every given pointer current in one atomic step (one manifest rename), then deletes the data
   * files of those tables that neither the new nor the previous version uses, and any build folders a
   * crash left behind.
   */
  swap(pointers: Pointer | readonly Pointer[]): void {
    const list = Array.isArray(pointers) ? pointers : [pointers as Pointer];
    if (list.length === 0) return;
    const before = this.layer();
    const tables = { ...(before?.tables ?? {}) };
    for (const p of list) tables[p.table] = p;
    const next: Layer = { version: (before?.version ?? 0) + 1, committed_at: new Date().toISOString(), tables };
    writeFileAtomic(this.manifestPath, JSON.stringify(next, null, 1) + '\n');
    faultPoint('tables.after_swap');
    if (before?.version === 0) for (const t of Object.keys(before.tables)) rmSync(join(this.layerDir, t, LEGACY_POINTER), { force: true });
    for (const p of list) this.collect(p, before?.tables[p.table] ?? null);
  }

  /**
   * Deletes data files neither version uses. A Delta table's own files stay (older versions are its
   * history, kept until a VACUUM); only the runner's build files go. A table no longer Delta loses
   * its log.
   */
  private collect(pointer: Pointer, previous: Pointer | null): void {
    const keep = new Set([pointer, previous].flatMap((p) => (p ? this.files(p) : [])));
    const dir = join(this.layerDir, pointer.table);
    const delta = pointer.format === 'delta';
    if (!delta) rmSync(join(dir, DELTA_LOG), { recursive: true, force: true });
    for (const n of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const full = join(dir, n);
      const ours = !delta || /(?:^|\/)(?:data-\d+|part-\d+-\d+)\.parquet$/.test(n);
      if (n.endsWith('.parquet') && ours && !n.startsWith('_staging-') && !n.startsWith(DELTA_LOG) && !keep.has(full)) rmSync(full, { force: true });
    }
    for (const n of readdirSync(dir)) {
      const full = join(dir, n);
      if (n.includes('=') && readdirSync(full).length === 0) rmSync(full, { recursive: true });
    }
  }

  /**
   * Removes tables from the layer in one atomic step (one manifest rename), then their folders: for
   * tables no declaration makes any more (a feature view now stored with its group).
   */
  drop(tables: readonly string[]): void {
    const before = this.layer();
    if (!before || tables.length === 0) return;
    const kept = Object.fromEntries(Object.entries(before.tables).filter(([t]) => !tables.includes(t)));
    writeFileAtomic(this.manifestPath, JSON.stringify({ version: before.version + 1, committed_at: new Date().toISOString(), tables: kept }, null, 1) + '\n');
    for (const t of tables) rmSync(join(this.layerDir, t), { recursive: true, force: true });
  }

  /** Removes the build folders (`<table>/_staging-*`) of builds a crash interrupted. Call under the layer's lock. */
  removeStaging(): number {
    if (!existsSync(this.layerDir)) return 0;
    let removed = 0;
    for (const table of readdirSync(this.layerDir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const n of readdirSync(join(this.layerDir, table.name)).filter((x) => x.startsWith('_staging-'))) {
        rmSync(join(this.layerDir, table.name, n), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }
}
