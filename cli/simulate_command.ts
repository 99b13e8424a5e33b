import type { Command } from 'commander';
import { ValidationError } from '../core/errors';
import { lakePaths } from '../core/paths';
import { KafkaSource } from '../pipelines/source/kafka_source';
import { ensureTopics } from '../pipelines/source/kafka';
import { restSink } from '../pipelines/stream/rest_sink';
import { simulate, type EventSink } from '../pipelines/stream/simulate';
import { FEEDS } from '../pipelines/feeds';
import { context, intOption } from './common';
import { kafkaSource } from './stream_command';

interface SimulateFlags {
  target?: string;
  brokers?: string;
  url?: string;
  rate: string;
  speedup?: string;
  fromDay?: string;
  toDay?: string;
  feeds?: string;
  lateShare: string;
  duplicateShare: string;
  jitterMs: string;
  limit?: string;
  seed: string;
  json?: boolean;
}

function share(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new ValidationError(`${flag} must be a share between 0 and 1, got "${v}"`, flag);
  return n;
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new ValidationError(`${flag} must be a positive number, got "${v}"`, flag);
  return n;
}

function day(v: string | undefined, flag: string): string | undefined {
  if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new ValidationError(`${flag} must be a date YYYY-MM-DD, got "${v}"`, flag);
  return v;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description("replay the lakehouse's generated gym events into Kafka or the REST API, in event-time order, at a given rate")
    .option('--target <kafka|rest>', 'where events go (default: kafka when a Kafka source is configured or --brokers given, rest with --url)')
    .option('--brokers <list>', 'Kafka bootstrap brokers host:port,…')
    .option('--url <url>', 'a fitlake API to POST /ingest/:feed to (key from FITLAKE_INGEST_API_KEY)')
    .option('--rate <n>', 'most events per second', '1000')
    .option('--speedup <x>', 'event time runs x times faster than the wall clock (e.g. 3600: an hour a second)')
    .option('--from-day <date>', 'first landing day replayed (YYYY-MM-DD)')
    .option('--to-day <date>', 'last landing day replayed (YYYY-MM-DD)')
    .option('--feeds <list>', 'feeds replayed, comma-separated (default: all)')
    .option('--late-share <p>', 'share of events held back a minute to three days', '0.01')
    .option('--duplicate-share <p>', 'share of events sent twice', '0.005')
    .option('--jitter-ms <n>', 'each event is sent up to this long after its event time', '30000')
    .option('--limit <n>', 'stop after this many events')
    .option('--seed <n>', 'seed of the late, duplicate and jitter draws', '42')
    .option('--json', 'print the tally as JSON')
    .addHelpText('after', '\nLanding lines that are not valid events (torn lines) are not sent; the tally counts them as skipped.\nStops early on SIGINT/SIGTERM after the events in flight are sent.')
    .action(async (opts: SimulateFlags, cmd: Command) => {
      const { config, logger } = context(cmd, { existing: true });
      const target = opts.target ?? (opts.url ? 'rest' : 'kafka');
      if (target !== 'kafka' && target !== 'rest') throw new ValidationError(`--target must be kafka or rest, got "${target}"`, '--target');
      const feeds = opts.feeds?.split(',').map((f) => f.trim());
      for (const f of feeds ?? []) if (!FEEDS.some((x) => x.name === f)) throw new ValidationError(`--feeds: no feed "${f}" (feeds: ${FEEDS.map((x) => x.name).join(', ')})`, '--feeds');
      const simOpts = {
        rate: positive(opts.rate, '--rate'),
        speedup: opts.speedup === undefined ? undefined : positive(opts.speedup, '--speedup'),
        from: day(opts.fromDay, '--from-day'),
        to: day(opts.toDay, '--to-day'),
        feeds,
        lateShare: share(opts.lateShare, '--late-share'),
        duplicateShare: share(opts.duplicateShare, '--duplicate-share'),
        jitterMs: positive(opts.jitterMs, '--jitter-ms'),
        limit: intOption(opts.limit, '--limit'),
        seed: intOption(opts.seed, '--seed')!,
      };
      let sink: EventSink;
      let close = async () => undefined as void;
      if (target === 'rest') {
        if (!opts.url) throw new ValidationError('--target rest needs --url (the fitlake API, e.g. http://127.0.0.1:3000)', '--url');
        const key = process.env.FITLAKE_INGEST_API_KEY;
        if (!key) throw new ValidationError('--target rest needs the API\'s ingestion key in FITLAKE_INGEST_API_KEY', 'FITLAKE_INGEST_API_KEY');
        sink = restSink(opts.url, key);
      } else {
        const cfg = kafkaSource(config, opts.brokers, 'simulate');
        await ensureTopics(cfg);
        const source = new KafkaSource(cfg);
        sink = (feed, events) => source.append(feed, events);
        close = () => source.close();
      }
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      try {
        const r = await simulate(lakePaths(config.lakehouse).landing, config.timezone, simOpts, sink, { logger, signal: stop.signal });
        process.stdout.write(
          opts.json ? JSON.stringify(r) + '\n' : `sent ${r.sent} events to ${target} in ${r.seconds.toFixed(1)} s (${Math.round(r.rate)}/s): ${r.late} late, ${r.duplicates} duplicates; ${r.skipped} landing lines skipped (not events)\n`,
        );
      } finally {
        await close();
      }
    });
}
