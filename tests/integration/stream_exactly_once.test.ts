import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { Db } from '../../pipelines/engine/duckdb/db';
import { BronzeLog } from '../../pipelines/bronze/log';
import { createBronzeViews } from '../../pipelines/bronze/reader';
import { FEEDS } from '../../pipelines/feeds';
import { lakePaths } from '../../core/paths';
import { generateInto, tmpLake } from '../helpers';
import { runCli } from './cli_runner';
import { startKafka } from './kafka_broker';

jest.setTimeout(300_000);

const CLI = join(__dirname, '..', '..', 'bin', 'fitlake.js');

describe('fitlake stream: Kafka into bronze exactly once (real broker)', () => {
  const lake = tmpLake();
  let kafka: Awaited<ReturnType<typeof startKafka>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    kafka = await startKafka();
    await generateInto(lake.root);
    const config = join(lake.root, 'fitlake.config.json');
    writeFileSync(config, JSON.stringify({ source: { type: 'kafka', brokers: kafka.brokers, topicPrefix: 'eo.', partitions: 3 } }));
    env = { FITLAKE_LAKEHOUSE: lake.root, FITLAKE_CONFIG: config };
  });
  afterAll(async () => {
    await kafka?.stop();
    lake.cleanup();
  });

  const startStream = (): ChildProcess => spawn(process.execPath, [CLI, 'stream', '--max-batch', '150', '--batch-ms', '40', '--metrics-port', '0'], { env: { ...process.env, ...env, FITLAKE_LOG_LEVEL: 'warn', TZ: 'UTC' }, stdio: 'ignore' });
  const exited = (p: ChildProcess) => new Promise<number | null>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve(p.exitCode) : p.once('exit', (code) => resolve(code))));

  /** Every record on the feed topics: the sum of the partitions' end offsets. */
  async function produced(): Promise<number> {
    const c = new Consumer({ clientId: 'eo-test', groupId: 'eo-test', bootstrapBrokers: kafka.brokers, deserializers: stringDeserializers });
    try {
      const ends = await c.listOffsets({ topics: FEEDS.map((f) => `eo.${f.name}`) });
      return [...ends.values()].flat().reduce((s, o) => s + Number(o), 0);
    } finally {
      await c.close(true);
    }
  }

  const committed = () => BronzeLog.load(lakePaths(lake.root).bronzeLog).commits.flatMap((c) => c.kafka ?? []).reduce((s, k) => s + k.rows + k.quarantined, 0);

  it('keeps every record exactly once through 10 SIGKILLs, quarantines and dead-letters the bad ones', async () => {
    const sim = runCli(['simulate', '--rate', '100000', '--late-share', '0.05', '--duplicate-share', '0.02', '--json'], env);
    expect(sim.stderr).toBe('');
    expect(sim.status).toBe(0);
    const tally = JSON.parse(sim.stdout);
    expect(tally).toMatchObject({ sent: expect.any(Number), late: expect.any(Number), duplicates: expect.any(Number) });
    expect(tally.late).toBeGreaterThan(100);
    expect(tally.duplicates).toBeGreaterThan(100);
    const raw = new Producer({ clientId: 'eo-bad', bootstrapBrokers: kafka.brokers, serializers: stringSerializers });
    const bad = ['{"scan_id": "X1", "scanned_at": ', '[1,2]', '{"scan_id":"X2","scanned_at":"2025-01-02T10:00:00Z","mood":"great"}', '{"scan_id":{"a":1},"scanned_at":"2025-01-02T10:00:00Z"}', '{"member_id":"M1","scanned_at":"2025-01-02T10:00:00Z"}'];
    await raw.send({ messages: bad.map((value) => ({ topic: 'eo.class_checkins', value })) });
    await raw.close();
    const total = await produced();
    expect(total).toBe(tally.sent + bad.length);

    const progress: number[] = [];
    for (let kill = 0; kill < 10; kill++) {
      const p = startStream();
      await new Promise((r) => setTimeout(r, 700 + Math.floor(Math.random() * 900)));
      p.kill('SIGKILL');
      await exited(p);
      progress.push(committed());
    }
    expect(progress.filter((n) => n > 0 && n < total).length).toBeGreaterThanOrEqual(5);
    const last = startStream();
    for (const deadline = Date.now() + 120_000; committed() < total && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 200));
    last.kill('SIGTERM');
    expect(await exited(last)).toBe(0);

    const log = BronzeLog.load(lakePaths(lake.root).bronzeLog);
    const ranges = log.commits.flatMap((c) => c.kafka ?? []);
    for (const topic of new Set(ranges.map((r) => `${r.topic}:${r.partition}`))) {
      const parts = ranges.filter((r) => `${r.topic}:${r.partition}` === topic);
      parts.forEach((r, i) => expect(r.from).toBe(i === 0 ? 0 : parts[i - 1].to));
    }
    const db = await Db.open({ memoryLimit: '1GB' });
    try {
      await createBronzeViews(db, lake.root, log);
      const union = FEEDS.map((f) => `SELECT '${f.name}' AS feed, _source_file, _line_number FROM bronze_${f.name}`).join(' UNION ALL ');
      const [counts] = await db.all<{ n: number; distinct_records: number }>(`SELECT count(*) AS n, count(DISTINCT (_source_file, _line_number)) AS distinct_records FROM (${union} UNION ALL SELECT feed, _source_file, _line_number FROM bronze_quarantine)`);
      expect(Number(counts.n)).toBe(total);
      expect(Number(counts.distinct_records)).toBe(total);
      const perFeed = await db.all<{ feed: string; n: number }>(`SELECT feed, count(*) AS n FROM (${union}) GROUP BY 1`);
      const expected = { ...tally.byFeed };
      expect(Object.fromEntries(perFeed.map((r) => [r.feed, Number(r.n)]))).toEqual(expected);
      const quarantined = await db.all<{ reason: string }>(`SELECT reason FROM bronze_quarantine ORDER BY _line_number`);
      expect(quarantined.map((q) => q.reason).sort()).toEqual(['invalid_json', 'missing_field:scan_id', 'not_an_object', 'unknown_field:mood', 'wrong_type:scan_id']);
    } finally {
      db.close();
    }
    const dlq = new Consumer({ clientId: 'eo-dlq', groupId: 'eo-dlq', bootstrapBrokers: kafka.brokers, deserializers: stringDeserializers });
    try {
      const stream = await dlq.consume({ topics: ['eo.dlq'], mode: 'earliest', autocommit: false, maxWaitTime: 200 });
      const keys = new Set<string>();
      const reasons = new Set<string>();
      for await (const m of stream) {
        keys.add(m.key!);
        reasons.add(String(m.headers.get('reason')));
        if (keys.size === bad.length) break;
      }
      expect(reasons).toEqual(new Set(['invalid_json', 'missing_field:scan_id', 'not_an_object', 'unknown_field:mood', 'wrong_type:scan_id']));
    } finally {
      await dlq.close(true);
    }
  });

  it('refuses to run without Kafka configured, naming how to configure it', () => {
    const r = runCli(['stream'], { FITLAKE_LAKEHOUSE: lake.root });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^fitlake: fitlake stream needs Kafka: pass --brokers host:port, or set FITLAKE_SOURCE=kafka/);
    const bad = runCli(['simulate', '--rate', '0', '--brokers', kafka.brokers[0]], { FITLAKE_LAKEHOUSE: lake.root });
    expect([bad.status, bad.stderr]).toEqual([2, 'fitlake: --rate must be a positive number, got "0"\n']);
  });
});
