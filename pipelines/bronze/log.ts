import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { createExclusive } from '../../core/atomic_fs';
import { ConflictError, DataError } from '../../core/errors';

const SourceSchema = z
  .object({
    path: z.string(),
    feed: z.string(),
    /** Bytes of the file ingested so far (this batch's range ends here). */
    size: z.number().int(),
    mtime_ms: z.number(),
    rows: z.number().int(),
    quarantined: z.number().int(),
    /** Where this batch's range began (0: the whole file so far); set when a grown file's new lines were taken. */
    offset: z.number().int().min(0).optional(),
    /** Lines in the first `size` bytes, and their SHA-256: a later append is recognised by them. */
    lines: z.number().int().min(0).optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    /** Why the range was quarantined whole (not text), when it was. */
    rejected: z.string().optional(),
  })
  .strict();
const OffsetsSchema = z
  .object({
    topic: z.string(),
    partition: z.number().int().min(0),
    /** The batch took offsets [from, to): the next batch of this partition starts at `to`. */
    from: z.number().int().min(0),
    to: z.number().int().min(0),
    rows: z.number().int(),
    quarantined: z.number().int(),
  })
  .strict();
const OutputSchema = z.object({ table: z.string(), path: z.string(), rows: z.number().int() }).strict();

export const CommitSchema = z
  .object({
    batch_id: z.number().int().min(1),
    committed_at: z.string(),
    sources: z.array(SourceSchema),
    /** The Kafka offset ranges a stream batch consumed, committed in the same step as its files. */
    kafka: z.array(OffsetsSchema).optional(),
    outputs: z.array(OutputSchema),
  })
  .strict();
export type Commit = z.infer<typeof CommitSchema>;
export type CommitSource = z.infer<typeof SourceSchema>;
export type CommitOutput = z.infer<typeof OutputSchema>;
export type CommitOffsets = z.infer<typeof OffsetsSchema>;

const LOG_NAME = /^(\d{12})\.json$/;

/**
 * Bronze's transaction log and checkpoint in one (in the manner of Delta's `_delta_log`): one JSON
 * file per committed batch, created exclusively, listing the landing files it consumed and the
 * Parquet files it added. A data file not named by a commit does not exist for readers.
 */
export class BronzeLog {
  private readonly offsets = new Map<string, number>();

  private constructor(
    readonly dir: string,
    readonly commits: Commit[],
  ) {}

  static load(dir: string): BronzeLog {
    const log = new BronzeLog(dir, []);
    if (existsSync(dir)) for (const name of readdirSync(dir).filter((n) => LOG_NAME.test(n)).sort()) log.add(log.read(join(dir, name)));
    return log;
  }

  /** Reads the commits other writers added since: the next ids in turn (ids are consecutive), never the whole folder. */
  refresh(): void {
    for (;;) {
      const path = this.path(this.nextBatchId());
      if (!existsSync(path)) return;
      this.add(this.read(path));
    }
  }

  private path(batchId: number): string {
    return join(this.dir, `${String(batchId).padStart(12, '0')}.json`);
  }

  private read(path: string): Commit {
    const parsed = CommitSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) throw new DataError(`corrupt bronze log entry ${path}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  private add(commit: Commit): void {
    this.commits.push(commit);
    for (const k of commit.kafka ?? []) this.offsets.set(`${k.topic}:${k.partition}`, Math.max(k.to, this.offsets.get(`${k.topic}:${k.partition}`) ?? 0));
  }

  /** Where each Kafka partition's next batch starts (`topic:partition` → offset), from the committed batches. */
  kafkaOffsets(): ReadonlyMap<string, number> {
    return this.offsets;
  }

  nextBatchId(): number {
    return (this.commits.at(-1)?.batch_id ?? 0) + 1;
  }

  /** Landing files already ingested, by path relative to the landing root (the latest range taken of each). */
  ingested(): Map<string, CommitSource> {
    const out = new Map<string, CommitSource>();
    for (const c of this.commits) for (const s of c.sources) out.set(s.path, s);
    return out;
  }

  /** Committed data files of a table, relative to the bronze root, oldest first. */
  files(table: string): CommitOutput[] {
    return this.commits.flatMap((c) => c.outputs.filter((o) => o.table === table));
  }

  /** Atomically commits a batch; throws ConflictError if another writer committed that id first. */
  commit(entry: Commit): void {
    const parsed = CommitSchema.parse(entry);
    if (!createExclusive(this.path(parsed.batch_id), JSON.stringify(parsed, null, 1) + '\n')) {
      throw new ConflictError(`bronze batch ${parsed.batch_id} was committed by another process`);
    }
    this.add(parsed);
  }

  /**
   * Deletes Parquet files under `bronzeRoot` that no commit names: what a crashed batch left
   * behind. Returns the paths removed (relative to bronzeRoot).
   */
  vacuum(bronzeRoot: string): string[] {
    const live = new Set(this.commits.flatMap((c) => c.outputs.map((o) => o.path)));
    const removed: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) {
          if (name !== '_log') walk(full);
        } else if (name.endsWith('.parquet') && !live.has(relative(bronzeRoot, full))) {
          rmSync(full);
          removed.push(relative(bronzeRoot, full));
        }
      }
    };
    if (existsSync(bronzeRoot)) walk(bronzeRoot);
    return removed;
  }
}
