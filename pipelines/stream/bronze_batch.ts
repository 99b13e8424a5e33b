import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LakePaths } from '../../core/paths';
import type { Db } from '../engine/duckdb/db';
import { parseEvent, problemReason, type FeedEvent } from '../events';
import { FEEDS, type FeedSpec } from '../feeds';
import { moveStaged, stageBatch, type FeedInput, type RejectedRecord } from '../bronze/batch_writer';
import type { BronzeLog, Commit, CommitOffsets } from '../bronze/log';
import { UNQUOTE_MACRO } from '../bronze/parse_sql';
import type { BatchOperator } from './live_windows';

/** A record fetched from a feed topic. */
export interface StreamRecord {
  topic: string;
  partition: number;
  offset: number;
  value: string;
  /** When the broker appended it (ms since the epoch). */
  timestamp: number;
}

/** A record that broke its feed's contract, on its way to the dead-letter topic. */
export interface InvalidRecord {
  record: StreamRecord;
  feed: FeedSpec;
  reason: string;
}

/** A valid event of a committed batch, for what the stream computes from it (windows, live features). */
export interface StreamEvent {
  feed: FeedSpec;
  event: FeedEvent;
  record: StreamRecord;
}

export interface StreamBatchResult {
  commit: Commit;
  events: StreamEvent[];
  invalid: InvalidRecord[];
}

/** The bronze `_source_file` of a partition's records: `kafka:<topic>:<partition>`; `_line_number` is the offset. */
export const kafkaSourceName = (topic: string, partition: number) => `kafka:${topic}:${partition}`;

/**
 * Writes one micro-batch of feed-topic records to bronze and commits it, with the offset range of
 * every partition it consumed, as one log entry: the batch and its offsets become visible together
 * or not at all. Records below a partition's committed offset are skipped (already in bronze).
 * Records that break their feed's contract are quarantined with the reason (and returned, for the
 * dead-letter topic, which `beforeCommit` is given before the commit). `operators` (the live windows)
 * add their files and state to the same commit.
 */
export async function writeStreamBatch(
  args: { db: Db; paths: LakePaths; log: BronzeLog; timeZone: string; now: Date; feedOf: (topic: string) => FeedSpec | undefined },
  records: readonly StreamRecord[],
  beforeCommit: (invalid: InvalidRecord[]) => Promise<void>,
  operators: readonly BatchOperator[] = [],
): Promise<StreamBatchResult | undefined> {
  const { log, paths } = args;
  log.refresh();
  const committed = log.kafkaOffsets();
  const byPartition = new Map<string, StreamRecord[]>();
  for (const r of records) {
    const key = `${r.topic}:${r.partition}`;
    if (r.offset < (committed.get(key) ?? 0)) continue;
    const list = byPartition.get(key);
    if (list) list.push(r);
    else byPartition.set(key, [r]);
  }
  if (byPartition.size === 0) return undefined;
  const batchId = log.nextBatchId();
  const stage = join(paths.bronzeStaging, `stream-${batchId}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, '_in'), { recursive: true });
  const inputs = new Map<FeedSpec, FeedInput & { lines: FeedInput['lines'][number][]; rejected: RejectedRecord[] }>();
  const ranges: CommitOffsets[] = [];
  const events: StreamEvent[] = [];
  const invalid: InvalidRecord[] = [];
  for (const [key, recs] of byPartition) {
    recs.sort((a, b) => a.offset - b.offset);
    const { topic, partition } = recs[0];
    const feed = args.feedOf(topic);
    if (!feed) continue;
    const input = inputs.get(feed) ?? { feed, format: 'jsonl' as const, lines: [], rejected: [] };
    inputs.set(feed, input);
    const source = kafkaSourceName(topic, partition);
    const first = recs[0].offset;
    const lines: string[] = [];
    for (const r of recs) {
      while (first + lines.length < r.offset) lines.push('');
      const parsed = parseEvent(feed, r.value);
      if ('problem' in parsed) {
        input.rejected.push({ source, line: r.offset, raw: r.value, reason: problemReason(parsed.problem) });
        invalid.push({ record: r, feed, reason: problemReason(parsed.problem) });
        lines.push('');
      } else {
        lines.push(JSON.stringify(parsed.event));
        events.push({ feed, event: parsed.event, record: r });
      }
    }
    const file = join(stage, '_in', `${topic}-${partition}.jsonl`);
    writeFileSync(file, lines.join('\n') + '\n');
    input.lines.push({ readFrom: file, source, lineBase: first - 1 });
    ranges.push({ topic, partition, from: committed.get(key) ?? first, to: recs.at(-1)!.offset + 1, rows: 0, quarantined: 0 });
  }
  await args.db.run(UNQUOTE_MACRO);
  const ingestedAt = args.now.toISOString();
  const ordered = FEEDS.flatMap((f) => (inputs.has(f) ? [inputs.get(f)!] : []));
  const { outputs, counts } = await stageBatch(args.db, stage, batchId, ingestedAt, args.timeZone, ordered);
  for (const r of ranges) Object.assign(r, counts.get(kafkaSourceName(r.topic, r.partition)) ?? { rows: 0, quarantined: 0 });
  const adopted: (() => Promise<void> | void)[] = [];
  for (const op of operators) {
    const staged = await op.stage(events, batchId, stage, args.db);
    outputs.push(...staged.outputs);
    adopted.push(staged.commit);
  }
  await beforeCommit(invalid);
  moveStaged(stage, paths.bronze, outputs);
  const commit: Commit = { batch_id: batchId, committed_at: ingestedAt, sources: [], kafka: ranges, outputs };
  log.commit(commit);
  for (const adopt of adopted) await adopt();
  rmSync(stage, { recursive: true, force: true });
  return { commit, events, invalid };
}
