import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { Consumer, stringDeserializers, type Message } from '@platformatic/kafka';
import { acquireLock } from '../../core/atomic_fs';
import { ConflictError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { lakehouseId, type LakePaths } from '../../core/paths';
import type { Db } from '../engine/duckdb/db';
import { BronzeLog } from '../bronze/log';
import { FEEDS } from '../feeds';
import { clientBase, deadLetterTopic, durableProducer, ensureTopics, feedOfTopic, feedTopic, type KafkaConfig } from '../source/kafka';
import { writeStreamBatch, type InvalidRecord, type StreamRecord } from './bronze_batch';
import { StreamMetrics } from './stream_metrics';
import { LATE_EVENTS_TABLE, LiveWindows, type BatchOperator } from './live_windows';

export interface StreamOptions {
  /** Most records in one micro-batch (one bronze commit). */
  maxBatchRecords: number;
  /** A record waits at most this long (ms) for its batch to be written, unless the writer is busy. */
  batchMs: number;
  /** Records fetched ahead of the writer; past this the consumer pauses fetching (backpressure). */
  maxBuffered: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = { maxBatchRecords: 20_000, batchMs: 200, maxBuffered: 60_000 };

export interface StreamDeps {
  db: Db;
  paths: LakePaths;
  timeZone: string;
  logger: Logger;
  metrics: StreamMetrics;
  /** Computed from each batch and committed with it, after the live windows (the live features). */
  operators?: BatchOperator[];
  now?: () => Date;
}

/**
 * `fitlake stream`: reads every feed topic and writes micro-batches to bronze exactly once. Each
 * batch's files and its offset ranges are one bronze-log commit; a (re)started consumer seeks to the
 * offsets in the log, never to the consumer group's. A broker or disk failure ends the session; it is
 * retried with backoff (reported by /readyz) and resumes from the log. While `fitlake ingest` holds
 * bronze, batches wait. Stops when `signal` aborts, after committing what it has fetched.
 */
export class StreamRunner {
  private readonly log: BronzeLog;
  private readonly windows: LiveWindows;
  private readonly operators: BatchOperator[];
  /**
   * Each session joins a consumer group of its own (this name, the pid and the start time): offsets come
   * from the bronze log, never the group, and a fresh group starts fetching at once, where rejoining
   * the same group after a crash waits out the dead member's 10-second session.
   */
  private readonly instanceId: string;

  constructor(
    private readonly cfg: KafkaConfig,
    private readonly deps: StreamDeps,
    private readonly opts: StreamOptions = DEFAULT_STREAM_OPTIONS,
  ) {
    this.log = BronzeLog.load(deps.paths.bronzeLog);
    this.windows = new LiveWindows(deps.paths.bronze, deps.timeZone);
    this.operators = [this.windows, ...(deps.operators ?? [])];
    this.instanceId = `fitlake-stream-${lakehouseId(deps.paths.root)}`;
  }

  async run(signal: AbortSignal): Promise<void> {
    const release = acquireLock(join(this.deps.paths.bronze, '_stream.lock'), 'fitlake stream on this lakehouse');
    try {
      await this.withBronze(() => {
        const removed = this.log.vacuum(this.deps.paths.bronze);
        if (removed.length) this.deps.logger.warn({ files: removed.length }, 'removed data files of an uncommitted (crashed) batch');
      });
      for (let attempt = 0; !signal.aborted; attempt++) {
        try {
          await this.session(signal);
          attempt = 0;
        } catch (e) {
          if (signal.aborted) break;
          const wait = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
          this.deps.metrics.errors.inc();
          this.deps.metrics.notReady = `consumer error, retrying in ${wait} ms: ${(e as Error).message}`;
          this.deps.logger.warn({ err: (e as Error).message, retryInMs: wait }, 'stream session failed; resuming from the bronze log after a pause');
          await sleep(wait, undefined, { signal }).catch(() => undefined);
        }
      }
    } finally {
      release();
    }
  }

  private async session(signal: AbortSignal): Promise<void> {
    const { cfg, deps, opts } = this;
    await ensureTopics(cfg);
    this.log.refresh();
    for (const op of this.operators) await op.restore(this.log);
    const topics = FEEDS.map((f) => feedTopic(cfg, f));
    const consumer = new Consumer({ ...clientBase(cfg, 'fitlake-stream'), groupId: `${cfg.topicPrefix}stream-${this.instanceId}-${process.pid}-${Date.now()}`, deserializers: stringDeserializers });
    const dlq = durableProducer(cfg, 'fitlake-stream-dlq');
    try {
      const offsets = [...this.log.kafkaOffsets()].map(([k, offset]) => ({ topic: k.slice(0, k.lastIndexOf(':')), partition: Number(k.slice(k.lastIndexOf(':') + 1)), offset: BigInt(offset) }));
      const stream = await consumer.consume({ topics, mode: 'manual', offsets: offsets.filter((o) => topics.includes(o.topic)), fallbackMode: 'earliest', autocommit: false, maxWaitTime: Math.min(200, opts.batchMs), sessionTimeout: 10_000, heartbeatInterval: 1_000 });
      const buffer: StreamRecord[] = [];
      let failure: Error | undefined;
      let wake: (() => void) | undefined;
      /** When the oldest record in the buffer arrived: a batch is written `batchMs` after it at the latest. */
      let oldestAt = 0;
      stream.on('data', (m: Message<string, string, string, string>) => {
        buffer.push({ topic: m.topic, partition: m.partition, offset: Number(m.offset), value: m.value ?? '', timestamp: Number(m.timestamp) });
        if (buffer.length === 1) {
          oldestAt = Date.now();
          wake?.();
        }
        if (buffer.length >= opts.maxBuffered) stream.pause();
        if (buffer.length >= opts.maxBatchRecords) wake?.();
      });
      stream.once('error', (e: Error) => {
        failure = e;
        wake?.();
      });
      deps.metrics.notReady = undefined;
      deps.logger.info({ topics: topics.length, resumeFrom: offsets.length }, 'stream consumer started');
      let lagAt = 0;
      while (!signal.aborted && !failure) {
        if (Date.now() - lagAt > 5_000) {
          lagAt = Date.now();
          await this.updateLag(consumer, topics);
        }
        const wait = buffer.length ? oldestAt + opts.batchMs - Date.now() : opts.batchMs;
        if (buffer.length < opts.maxBatchRecords && wait > 0) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              signal.removeEventListener('abort', done);
              wake = undefined;
              resolve();
            };
            const timer = setTimeout(done, wait);
            signal.addEventListener('abort', done, { once: true });
            wake = done;
          });
        }
        if (failure) break;
        if (buffer.length === 0 || (buffer.length < opts.maxBatchRecords && Date.now() < oldestAt + opts.batchMs)) continue;
        const flushing = Date.now();
        await this.flush(buffer.splice(0, opts.maxBatchRecords), dlq);
        oldestAt = flushing;
        if (stream.isPaused() && buffer.length < opts.maxBuffered / 2) stream.resume();
      }
      if (failure) throw failure;
      stream.pause();
      while (buffer.length) await this.flush(buffer.splice(0, opts.maxBatchRecords), dlq);
      deps.logger.info('stream consumer stopped: every fetched record is committed');
    } finally {
      await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
      await dlq.close().catch(() => undefined);
    }
  }

  private async flush(records: StreamRecord[], dlq: ReturnType<typeof durableProducer>): Promise<void> {
    const { deps, cfg } = this;
    const started = performance.now();
    const result = await this.withBronze(() =>
      writeStreamBatch(
        { db: deps.db, paths: deps.paths, log: this.log, timeZone: deps.timeZone, now: (deps.now ?? (() => new Date()))(), feedOf: (t) => feedOfTopic(cfg, t) },
        records,
        (invalid) => this.deadLetter(dlq, invalid),
        this.operators,
      ),
    );
    if (!result) return;
    deps.metrics.batchSeconds.observe((performance.now() - started) / 1000);
    if (deps.operators?.length) {
      const now = Date.now();
      for (const r of records) deps.metrics.toOnline.observe(Math.max(0, now - r.timestamp) / 1000);
    }
    deps.metrics.batches.inc();
    for (const r of result.commit.kafka ?? []) {
      const feed = feedOfTopic(cfg, r.topic)?.name ?? r.topic;
      deps.metrics.events.inc({ feed, outcome: 'bronze' }, r.rows);
      deps.metrics.events.inc({ feed, outcome: 'quarantined' }, r.quarantined);
    }
    deps.metrics.tallyRate(records.length);
    deps.metrics.late.inc(result.commit.outputs.filter((o) => o.table === LATE_EVENTS_TABLE).reduce((n, o) => n + o.rows, 0));
    const watermark = this.windows.current().watermark;
    if (watermark !== null) deps.metrics.watermark.set(watermark / 1000);
    deps.logger.debug({ batch: result.commit.batch_id, records: records.length, invalid: result.invalid.length }, 'stream batch committed');
  }

  /** Sends contract-breaking records to the dead-letter topic (keyed by topic:partition:offset, so a replayed batch's copies can be told apart). */
  private async deadLetter(dlq: ReturnType<typeof durableProducer>, invalid: InvalidRecord[]): Promise<void> {
    if (invalid.length === 0) return;
    const topic = deadLetterTopic(this.cfg);
    await dlq.send({
      messages: invalid.map((i) => ({
        topic,
        key: `${i.record.topic}:${i.record.partition}:${i.record.offset}`,
        value: i.record.value,
        headers: { feed: i.feed.name, reason: i.reason, source_topic: i.record.topic, source_partition: String(i.record.partition), source_offset: String(i.record.offset) },
      })),
    });
  }

  /** Runs `fn` holding bronze (waiting while `fitlake ingest` has it). */
  private async withBronze<T>(fn: () => Promise<T> | T): Promise<T> {
    for (let waited = 0; ; waited++) {
      let release: (() => void) | undefined;
      try {
        release = acquireLock(join(this.deps.paths.bronze, '_ingest.lock'), 'bronze ingestion');
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        if (waited === 0) this.deps.logger.info('bronze is busy (fitlake ingest); the stream waits');
        await sleep(200);
        continue;
      }
      try {
        return await fn();
      } finally {
        release();
      }
    }
  }

  private async updateLag(consumer: Consumer<string, string, string, string>, topics: string[]): Promise<void> {
    try {
      const latest = await consumer.listOffsets({ topics });
      const next = this.log.kafkaOffsets();
      for (const [topic, parts] of latest) parts.forEach((end, partition) => this.deps.metrics.lag.set({ topic, partition: String(partition) }, Number(end) - (next.get(`${topic}:${partition}`) ?? 0)));
    } catch (e) {
      this.deps.logger.debug({ err: (e as Error).message }, 'could not read the topics\' end offsets for the lag');
    }
  }
}
