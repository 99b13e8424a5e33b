import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lakePaths } from '../core/paths';
import { BronzeLog } from '../pipelines/bronze/log';
import { FEEDS } from '../pipelines/feeds';
import { startLocalKafka } from '../pipelines/source/local_broker';
import { phase } from './lake';
import { peerPython } from './peers/python_env';

const CLI = join(__dirname, '..', 'bin', 'fitlake.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const EVENTS = 300_000;
const STEADY_RATE = 5_000;
const STEADY_EVENTS = 150_000;

function cli(args: string[], env: Record<string, string>): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, FITLAKE_LOG_LEVEL: 'warn', ...env }, maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`fitlake ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Records the stream committed to bronze (rows + quarantined) from topics with `prefix`. */
function committed(log: BronzeLog, prefix: string): number {
  log.refresh();
  return log.commits.flatMap((c) => c.kafka ?? []).filter((k) => k.topic.startsWith(prefix)).reduce((s, k) => s + k.rows + k.quarantined, 0);
}

async function untilCommitted(log: BronzeLog, prefix: string, n: number, timeoutMs: number): Promise<{ firstAt: number; doneAt: number }> {
  let firstAt = 0;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(20)) {
    const c = committed(log, prefix);
    if (c > 0 && !firstAt) firstAt = Date.now();
    if (c >= n) return { firstAt, doneAt: Date.now() };
  }
  throw new Error(`the stream committed ${committed(log, prefix)} of ${n} records in ${timeoutMs / 1000} s`);
}

/** A quantile from a Prometheus histogram's cumulative buckets (linear inside the bucket). */
function quantile(metrics: string, name: string, q: number): number {
  const buckets = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))].map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: Number(m[2]) }));
  const total = buckets.at(-1)?.n ?? 0;
  let prev = { le: 0, n: 0 };
  for (const b of buckets) {
    if (b.n >= q * total) return b.le === Infinity ? prev.le : prev.le + ((b.le - prev.le) * (q * total - prev.n)) / Math.max(1, b.n - prev.n);
    prev = b;
  }
  return NaN;
}

const exited = (p: ChildProcess) => new Promise<number | null>((resolve) => (p.exitCode !== null ? resolve(p.exitCode) : p.once('exit', (c) => resolve(c))));

/**
 * `npm run bench -- --only stream`: fitlake's Kafka → bronze path against Spark Structured Streaming on
 * the same broker and the same events (the generated gym's first 300,000, replayed into Kafka once):
 * throughput of each draining the topics (fitlake: bronze + 30-second windows + live features;
 * Spark: raw records and the 30-second windowed aggregation to Parquet), then fitlake's latency from a
 * record's append to the broker to its live features in the online store at a steady 5,000 events/s.
 */
export async function stream(scale: string): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'fitlake-bench-stream-'));
  const kafka = await startLocalKafka({ heap: '1g' });
  try {
    phase('generate', root, scale === 'medium' || scale === 'large' ? 'small' : scale);
    const env = (prefix: string) => {
      const config = join(root, `${prefix}config.json`);
      writeFileSync(config, JSON.stringify({ source: { type: 'kafka', brokers: kafka.brokers, topicPrefix: prefix, partitions: 3 } }));
      return { FITLAKE_LAKEHOUSE: root, FITLAKE_CONFIG: config };
    };
    cli(['features', 'apply'], env('tp.'));
    const produced = JSON.parse(cli(['simulate', '--rate', '10000000', '--limit', String(EVENTS), '--json'], env('tp.'))) as { sent: number; seconds: number };
    const log = BronzeLog.load(lakePaths(root).bronzeLog);

    const started = Date.now();
    const fitlake = spawn(process.execPath, [CLI, 'stream', '--metrics-port', '0'], { env: { ...process.env, ...env('tp.'), FITLAKE_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    const drained = await untilCommitted(log, 'tp.', produced.sent, 600_000);
    fitlake.kill('SIGTERM');
    await exited(fitlake);
    const fitSeconds = (drained.doneAt - started) / 1000;

    const python = peerPython(['pyspark==4.2.0'], 'pyspark');
    const out = mkdtempSync(join(tmpdir(), 'fitlake-bench-spark-'));
    const peerStarted = Date.now();
    const peer = spawnSync(python, [join(__dirname, 'peers', 'spark_stream.py'), kafka.brokers[0], FEEDS.map((f) => `tp.${f.name}`).join(','), out, 'local[2]'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    rmSync(out, { recursive: true, force: true });
    if (peer.status !== 0) throw new Error(`the Spark peer failed: ${peer.stderr.slice(-2000)}`);
    const spark = JSON.parse(peer.stdout.trim().split('\n').at(-1)!) as { seconds: number; startup: number; raw_rows: number; window_rows: number };
    const sparkTotal = (Date.now() - peerStarted) / 1000;

    const metricsPort = 9000 + Math.floor(Math.random() * 900);
    const steady = spawn(process.execPath, [CLI, 'stream', '--metrics-port', String(metricsPort)], { env: { ...process.env, ...env('lt.'), FITLAKE_LOG_LEVEL: 'warn' }, stdio: 'ignore' });
    await sleep(3_000);
    const sim = JSON.parse(cli(['simulate', '--rate', String(STEADY_RATE), '--limit', String(STEADY_EVENTS), '--json'], env('lt.'))) as { sent: number; seconds: number; rate: number };
    await untilCommitted(log, 'lt.', sim.sent, 120_000);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    steady.kill('SIGTERM');
    await exited(steady);
    const latency = { p50: quantile(metrics, 'fitlake_stream_event_to_online_seconds', 0.5), p99: quantile(metrics, 'fitlake_stream_event_to_online_seconds', 0.99) };
    const lost = sim.sent - committed(log, 'lt.');

    const rows = [
      { system: 'fitlake stream (bronze + windows + live features)', events: produced.sent, seconds: fitSeconds, eventsPerSec: produced.sent / fitSeconds, note: `process start → all committed (first commit after ${((drained.firstAt - started) / 1000).toFixed(1)} s)` },
      { system: 'Spark Structured Streaming local[2] (raw + windows to Parquet)', events: spark.raw_rows, seconds: spark.seconds, eventsPerSec: spark.raw_rows / spark.seconds, note: `queries only; JVM and session start ${spark.startup.toFixed(1)} s more, ${sparkTotal.toFixed(1)} s in all` },
    ];
    console.table(rows.map((r) => ({ ...r, seconds: r.seconds.toFixed(1), eventsPerSec: Math.round(r.eventsPerSec) })));
    const ratio = rows[0].eventsPerSec / rows[1].eventsPerSec;
    console.log(`steady ${Math.round(sim.rate)} events/s for ${sim.seconds.toFixed(0)} s: append → online store p50 ${(latency.p50 * 1000).toFixed(0)} ms, p99 ${(latency.p99 * 1000).toFixed(0)} ms; lost ${lost}`);
    console.log(`targets: throughput ≥ 3× Spark → ${ratio.toFixed(2)}× ${ratio >= 3 ? 'met' : 'NOT met'}; p99 ≤ 1 s → ${latency.p99 <= 1 ? 'met' : 'NOT met'}; zero loss → ${lost === 0 && spark.raw_rows === produced.sent ? 'met' : 'NOT met'}`);
    return { benchmark: 'stream', scale, produced, rows, ratio, steady: { ...sim, latency, lost }, spark, targets: { ratio: 3, p99Seconds: 1, lost: 0 } };
  } finally {
    await kafka.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
