import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../core/atomic_fs';

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
    /** Facts about the data verified when the version was written, for readers to plan queries by. */
    properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();
export type Pointer = z.infer<typeof PointerSchema>;

/**
 * Silver/gold tables as versioned Parquet files with an atomically swapped pointer:
 * `<layer>/<table>/data-<version>.parquet` and `<layer>/<table>/_current.json`. A reader follows
 * the pointer, so it sees the old version until the swap and the new one after, never a mix.
 * The previous version is kept one swap longer for readers still holding it.
 */
export class TableStore {
  constructor(private readonly layerDir: string) {}

  private pointerPath(table: string): string {
    return join(this.layerDir, table, '_current.json');
  }

  current(table: string): Pointer | null {
    const p = this.pointerPath(table);
    return existsSync(p) ? PointerSchema.parse(JSON.parse(readFileSync(p, 'utf8'))) : null;
  }

  /** Absolute paths of a version's data files (one, or one per partition). */
  files(p: Pointer): string[] {
    const rel = p.partitions ? Object.keys(p.partitions).sort().flatMap((k) => p.partitions![k].files) : [p.file];
    return rel.map((f) => join(this.layerDir, p.table, f));
  }

  /** Absolute paths of the current version's data files, or null when the table does not exist. */
  currentFiles(table: string): string[] | null {
    const c = this.current(table);
    return c ? this.files(c) : null;
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

  /** Makes `pointer` the current version, then deletes data files neither it nor the previous version uses. */
  swap(pointer: Pointer): void {
    const previous = this.current(pointer.table);
    writeFileAtomic(this.pointerPath(pointer.table), JSON.stringify(pointer, null, 1) + '\n');
    const keep = new Set([pointer, previous].flatMap((p) => (p ? this.files(p) : [])));
    const dir = join(this.layerDir, pointer.table);
    for (const n of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      const full = join(dir, n);
      if (n.endsWith('.parquet') && !keep.has(full)) rmSync(full);
    }
    for (const n of readdirSync(dir)) {
      const full = join(dir, n);
      if (n.includes('=') && readdirSync(full).length === 0) rmSync(full, { recursive: true });
    }
  }
}
