import type { Command } from 'commander';
import { ConfigSchema, zodToValidation, type Config } from '../core/config';
import { ValidationError } from '../core/errors';
import { lakePaths } from '../core/paths';
import { Db } from '../pipelines/engine/duckdb/db';
import { FeatureStore } from '../features/store';
import { LiveFeatures } from '../features/live_features';
import type { KafkaConfig } from '../pipelines/source/kafka';
import { DEFAULT_STREAM_OPTIONS, StreamRunner } from '../pipelines/stream/stream_runner';
import { StreamMetrics } from '../pipelines/stream/stream_metrics';
import { context, intOption } from './common';

/** The Kafka source: `--brokers` when given, else the configured one; an error naming how to configure it. */
export function kafkaSource(config: Config, brokers: string | undefined, command: string): KafkaConfig {
  if (brokers !== undefined) {
    const parsed = ConfigSchema.shape.source.safeParse({ ...(config.source.type === 'kafka' ? config.source : {}), type: 'kafka', brokers: brokers.split(',').map((b) => b.trim()) });
    if (!parsed.success) throw zodToValidation(parsed.error, '--brokers');
    return parsed.data as KafkaConfig;
  }
  if (config.source.type === 'kafka') return config.source;
  throw new ValidationError(`fitlake ${command} needs Kafka: pass --brokers host:port, or set FITLAKE_SOURCE=kafka (and FITLAKE_KAFKA_BROKERS) or "source": {"type": "kafka"} in fitlake.config.json`, 'source');
}

export function registerStream(program: Command): void {
  program
    .command('stream')
    .description('consume the feed topics from Kafka into bronze, exactly once, until stopped (SIGTERM/SIGINT)')
    .option('--brokers <list>', 'Kafka bootstrap brokers host:port,… (default: source.brokers in config, FITLAKE_KAFKA_BROKERS)')
    .option('--max-batch <n>', 'most records per micro-batch (one bronze commit)', String(DEFAULT_STREAM_OPTIONS.maxBatchRecords))
    .option('--batch-ms <n>', 'a record waits at most this long (ms) for its micro-batch, unless the writer is busy', String(DEFAULT_STREAM_OPTIONS.batchMs))
    .option('--max-buffered <n>', 'records fetched ahead of the writer before fetching pauses', String(DEFAULT_STREAM_OPTIONS.maxBuffered))
    .option('--metrics-port <n>', 'port of /metrics, /healthz and /readyz (0: any free port)', '9464')
    .option('--metrics-host <addr>', 'bind address of the metrics endpoint', '127.0.0.1')
    .addHelpText(
      'after',
      [
        '',
        'Each micro-batch lands in the same bronze tables as `fitlake ingest` (same partitions, metadata and',
        'quarantine), and its Kafka offsets are committed in the bronze log in the same atomic step: a restart',
        'resumes from the log, so every record is in bronze exactly once. Records that break their feed\'s',
        'contract are quarantined and sent to <topicPrefix>dlq with the reason. A broker outage is retried',
        'with backoff (see /readyz). One `fitlake stream` per lakehouse.',
        'Each batch also closes 30-second windows (bronze _live_windows, GET /live/occupancy) and folds its',
        'events into the streaming feature views (member_live), written to the online store once committed.',
      ].join('\n'),
    )
    .action(async (opts: { brokers?: string; maxBatch: string; batchMs: string; maxBuffered: string; metricsPort: string; metricsHost: string }, cmd: Command) => {
      const { config, logger } = context(cmd, { existing: true });
      const cfg = kafkaSource(config, opts.brokers, 'stream');
      const positive = (v: string, flag: string) => {
        const n = intOption(v, flag)!;
        if (n < 1) throw new ValidationError(`${flag} must be ≥ 1, got ${n}`, flag);
        return n;
      };
      const streamOpts = { maxBatchRecords: positive(opts.maxBatch, '--max-batch'), batchMs: positive(opts.batchMs, '--batch-ms'), maxBuffered: positive(opts.maxBuffered, '--max-buffered') };
      const metrics = new StreamMetrics();
      const server = await metrics.listen(opts.metricsHost, intOption(opts.metricsPort, '--metrics-port')!);
      const address = server.address();
      logger.info({ metrics: typeof address === 'object' && address ? `http://${opts.metricsHost}:${address.port}/metrics` : undefined, brokers: cfg.brokers }, 'fitlake stream starting');
      const db = await Db.fromConfig(config);
      const store = FeatureStore.open(config, { logger });
      const registry = store.registryStore.latest();
      const live = registry ? new LiveFeatures(registry, store.online, lakePaths(config.lakehouse).bronze, config.timezone, logger) : undefined;
      if (live?.views().length) logger.info({ views: live.views() }, 'streaming feature views are kept online');
      else logger.warn('no feature registry (run `fitlake features apply`): the stream keeps no live features online');
      const stop = new AbortController();
      const onSignal = (sig: string) => {
        logger.info({ signal: sig }, 'stopping: committing what was fetched');
        stop.abort();
      };
      process.once('SIGTERM', () => onSignal('SIGTERM'));
      process.once('SIGINT', () => onSignal('SIGINT'));
      try {
        await new StreamRunner(cfg, { db, paths: lakePaths(config.lakehouse), timeZone: config.timezone, logger, metrics, operators: live ? [live] : [] }, streamOpts).run(stop.signal);
      } finally {
        db.close();
        await store.close();
        server.close();
      }
    });
}
