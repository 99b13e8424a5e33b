import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { Db } from '../../pipelines/engine/duckdb/db';
import { BronzeLog } from '../../pipelines/bronze/log';
import { createBronzeViews } from '../../pipelines/bronze/reader';
import { FEEDS } from '../../pipelines/feeds';
import { lakePaths } from '../../core/paths';
import { savedState } from '../../pipelines/stream/live_windows';
import type { WindowState } from '../../pipelines/stream/windows';
import { fixtureCopy } from '../fixtures/cache';
import { runCli } from './cli_runner';
import { startLocalKafka as startKafka } from '../../pipelines/source/local_broker';
import { freePort } from './redis_server';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, watch } from './browser';

jest.setTimeout(400_000);

const CLI = join(__dirname, '..', '..', 'bin', 'fitlake.js');
const KEY = 'ingest-k3y';
type Occupancy = { clubs: { club_id: string; occupancy: number; window_end: string }[] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the real-time path on a real Kafka broker: stream, simulate, REST ingestion, live windows', () => {
  const lake = fixtureCopy('serving');
  const paths = lakePaths(lake.root);
  let kafka: Awaited<ReturnType<typeof startKafka>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    kafka = await startKafka();
    const config = join(lake.root, 'fitlake.config.json');
    writeFileSync(config, JSON.stringify({ source: { type: 'kafka', brokers: kafka.brokers, topicPrefix: 'eo.', partitions: 3 } }));
    env = { FITLAKE_LAKEHOUSE: lake.root, FITLAKE_CONFIG: config };
  });
  afterAll(async () => {
    await kafka?.stop();
    lake.cleanup();
  });

  const child = (args: string[], extra: Record<string, string> = {}): ChildProcess => spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, FITLAKE_LOG_LEVEL: 'warn', TZ: 'UTC', ...extra }, stdio: 'ignore' });
  const startStream = () => child(['stream', '--max-batch', '150', '--batch-ms', '40', '--metrics-port', '0']);
  const exited = (p: ChildProcess) => new Promise<number | null>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve(p.exitCode) : p.once('exit', (code) => resolve(code))));
  let bronzeLog: BronzeLog | undefined;
  const kafkaCommits = () => {
    if (bronzeLog) bronzeLog.refresh();
    else bronzeLog = BronzeLog.load(paths.bronzeLog);
    return bronzeLog.commits.filter((c) => c.kafka);
  };
  const committed = () => kafkaCommits().flatMap((c) => c.kafka ?? []).reduce((s, k) => s + k.rows + k.quarantined, 0);

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

  async function query<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
    const db = await Db.open({ memoryLimit: '1GB' });
    try {
      await createBronzeViews(db, lake.root);
      return await db.all<T>(sql);
    } finally {
      db.close();
    }
  }

  const BAD = ['{"scan_id": "X1", "scanned_at": ', '[1,2]', '{"scan_id":"X2","scanned_at":"2025-01-02T10:00:00Z","mood":"great"}', '{"scan_id":{"a":1},"scanned_at":"2025-01-02T10:00:00Z"}', '{"member_id":"M1","scanned_at":"2025-01-02T10:00:00Z"}'];
  const BAD_REASONS = ['invalid_json', 'missing_field:scan_id', 'not_an_object', 'unknown_field:mood', 'wrong_type:scan_id'];
  let tally: { sent: number; late: number; duplicates: number; byFeed: Record<string, number> };

  it('keeps every record exactly once through 10 SIGKILLs at random points, quarantines and dead-letters the bad ones', async () => {
    const sim = runCli(['simulate', '--rate', '100000', '--to-day', '2025-01-31', '--late-share', '0.05', '--duplicate-share', '0.02', '--json'], env);
    expect(sim.stderr).toBe('');
    expect(sim.status).toBe(0);
    tally = JSON.parse(sim.stdout);
    expect(tally.late).toBeGreaterThan(100);
    expect(tally.duplicates).toBeGreaterThan(100);
    const raw = new Producer({ clientId: 'eo-bad', bootstrapBrokers: kafka.brokers, serializers: stringSerializers });
    await raw.send({ messages: BAD.map((value) => ({ topic: 'eo.class_checkins', value })) });
    await raw.close();
    const total = await produced();
    expect(total).toBe(tally.sent + BAD.length);

    let before = 0;
    for (let kill = 0; kill < 10; kill++) {
      const p = startStream();
      for (const deadline = Date.now() + 60_000; committed() === before && Date.now() < deadline; ) await sleep(10);
      await sleep(Math.floor(Math.random() * 150));
      p.kill('SIGKILL');
      await exited(p);
      const now = committed();
      expect(now).toBeGreaterThan(before);
      expect(now).toBeLessThan(total);
      before = now;
    }
    const last = startStream();
    for (const deadline = Date.now() + 120_000; committed() < total && Date.now() < deadline; ) await sleep(100);
    last.kill('SIGTERM');
    expect(await exited(last)).toBe(0);

    const ranges = kafkaCommits().flatMap((c) => c.kafka ?? []);
    for (const key of new Set(ranges.map((r) => `${r.topic}:${r.partition}`))) {
      const parts = ranges.filter((r) => `${r.topic}:${r.partition}` === key);
      parts.forEach((r, i) => expect(r.from).toBe(i === 0 ? 0 : parts[i - 1].to));
    }
    const union = FEEDS.map((f) => `SELECT '${f.name}' AS feed, _source_file, _line_number FROM bronze_${f.name} WHERE _source_file LIKE 'kafka:%'`).join(' UNION ALL ');
    const [counts] = await query<{ n: bigint; distinct_records: bigint }>(
      `SELECT count(*) AS n, count(DISTINCT (_source_file, _line_number)) AS distinct_records FROM (${union} UNION ALL SELECT feed, _source_file, _line_number FROM bronze_quarantine WHERE _source_file LIKE 'kafka:%')`,
    );
    expect([Number(counts.n), Number(counts.distinct_records)]).toEqual([total, total]);
    const perFeed = await query<{ feed: string; n: bigint }>(`SELECT feed, count(*) AS n FROM (${union}) GROUP BY 1`);
    expect(Object.fromEntries(perFeed.map((r) => [r.feed, Number(r.n)]))).toEqual(tally.byFeed);
    const quarantined = await query<{ reason: string }>(`SELECT reason FROM bronze_quarantine WHERE _source_file LIKE 'kafka:%' ORDER BY reason`);
    expect(quarantined.map((q) => q.reason)).toEqual(BAD_REASONS);

    const dlq = new Consumer({ clientId: 'eo-dlq', groupId: 'eo-dlq', bootstrapBrokers: kafka.brokers, deserializers: stringDeserializers });
    try {
      const stream = await dlq.consume({ topics: ['eo.dlq'], mode: 'earliest', autocommit: false, maxWaitTime: 200 });
      const reasons = new Map<string, string>();
      for await (const m of stream) {
        reasons.set(m.key!, String(m.headers.get('reason')));
        if (reasons.size === BAD.length) break;
      }
      expect([...reasons.values()].sort()).toEqual(BAD_REASONS);
    } finally {
      await dlq.close(true);
    }
  });

  it('counts every entry exactly once in the live windows: final windows + late events + still-open windows = bronze', async () => {
    kafkaCommits();
    const state = savedState(bronzeLog!, 'windows')!;
    const open = JSON.parse(readFileSync(join(paths.bronze, state), 'utf8')) as WindowState;
    const stillOpen = Object.values(open.open).reduce((s, w) => s + Object.values(w.entries).reduce((a, b) => a + b, 0), 0);
    const [r] = await query<{ final: number; late: bigint; bronze: bigint }>(`SELECT
        (SELECT sum(value) FROM bronze_live_windows WHERE metric = 'entries') AS final,
        (SELECT count(*) FROM bronze_late_events WHERE feed IN ('class_checkins', 'facility_usage')) AS late,
        (SELECT count(*) FROM bronze_class_checkins WHERE _source_file LIKE 'kafka:%') + (SELECT count(*) FROM bronze_facility_usage WHERE _source_file LIKE 'kafka:%') AS bronze`);
    expect(Number(r.late)).toBeGreaterThan(0);
    expect(Number(r.final) + Number(r.late) + stillOpen).toBe(Number(r.bronze));
    const occupancy = await query<{ club_id: string; last: number; net: number }>(`SELECT club_id,
        arg_max(value, window_end) FILTER (WHERE metric = 'occupancy') AS last,
        sum(value) FILTER (WHERE metric = 'entries') - sum(value) FILTER (WHERE metric = 'exits') AS net
      FROM bronze_live_windows WHERE club_id IS NOT NULL AND metric IN ('occupancy', 'entries', 'exits') GROUP BY 1 ORDER BY 1`);
    expect(occupancy.length).toBeGreaterThan(0);
    for (const o of occupancy) expect([o.club_id, o.last]).toEqual([o.club_id, o.net]);
    expect(occupancy.map((o) => [o.club_id, o.last])).toEqual(Object.entries(open.occupancy).sort());
  });

  it('REST ingestion produces to Kafka; the stream lands it; /live/occupancy and /live/stream show the windows move', async () => {
    const port = await freePort();
    const api = child(['serve', '--port', String(port)], { FITLAKE_INGEST_API_KEY: KEY, FITLAKE_RELOAD_INTERVAL_MS: '0', FITLAKE_SERVING_CLOCK: 'system' });
    const stream = startStream();
    const base = `http://127.0.0.1:${port}`;
    const sse = new AbortController();
    let browser: Browser | undefined;
    try {
      for (const deadline = Date.now() + 60_000; !(await fetch(`${base}/healthz`).then((r) => r.ok, () => false)); ) {
        if (Date.now() > deadline) throw new Error('fitlake serve did not start');
        await sleep(200);
      }
      const live = (await (await fetch(`${base}/live/occupancy`)).json()) as Occupancy;
      const expected = await query<{ club_id: string; occupancy: number }>(`SELECT club_id, arg_max(value, window_end) AS occupancy FROM bronze_live_windows WHERE metric = 'occupancy' GROUP BY 1 ORDER BY 1`);
      expect(live.clubs.map((c) => [c.club_id, c.occupancy])).toEqual(expected.map((e) => [e.club_id, e.occupancy]));
      // the dashboard's Live page shows the same, then follows the windows as they land (SSE)
      browser = await launchBrowser();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems = watch(page);
      const occupancyRow = (club: string, n: number) => page.locator('tbody tr').filter({ has: page.locator('td:nth-child(1)', { hasText: new RegExp(`^${club}$`) }) }).filter({ has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${n.toLocaleString('en-US')}$`) }) });
      await page.goto(`${base}/ui/live`);
      await page.waitForSelector('main[data-ready="true"]');
      for (const c of live.clubs) expect(await occupancyRow(c.club_id, c.occupancy).count()).toBe(1);
      expect(Number(await page.getAttribute('figure.chart svg[role="img"]', 'data-marks'))).toBeGreaterThan(0);

      const res = await fetch(`${base}/live/stream`, { signal: sse.signal });
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const reader = res.body!.getReader();
      let text = '';
      const nextEvent = async (name: string): Promise<Record<string, unknown>> => {
        for (;;) {
          const m = new RegExp(`event: ${name}\\ndata: (.*)\\n\\n`).exec(text);
          if (m) {
            text = text.slice(m.index + m[0].length);
            return JSON.parse(m[1]);
          }
          const { value, done } = await reader.read();
          if (done) throw new Error('the event stream ended');
          text += Buffer.from(value).toString('utf8');
        }
      };
      expect((await nextEvent('occupancy')).clubs).toEqual(live.clubs);

      const watermark = BronzeLog.load(paths.bronzeLog).commits.length;
      expect(watermark).toBeGreaterThan(0);
      const far = '2025-02-01T12:00:00Z';
      const checkins = Array.from({ length: 3 }, (_, i) => ({ scan_id: `LIVE${i}`, member_id: 'M0000001', session_id: 'CS-LIVE', club_id: 'C01', scanned_at: far }));
      const post = (feed: string, body: unknown) => fetch(`${base}/ingest/${feed}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(body) });
      const accepted = await post('class_checkins', checkins);
      expect([accepted.status, await accepted.json()]).toEqual([202, { feed: 'class_checkins', accepted: 3, durable_in: 'kafka' }]);
      // an app event two minutes later moves the watermark past the check-ins' window, so it closes
      expect((await post('app_events', [{ event_id: 'LIVE-A', app_session_id: 'LIVE-S', member_id: 'M0000001', event_type: 'app_open', occurred_at: '2025-02-01T12:02:30Z' }])).status).toBe(202);
      for (;;) {
        const e = (await nextEvent('windows')) as { windows: { window_start: string; metric: string; club_id: string; value: number }[] };
        const entries = e.windows.find((w) => w.window_start === '2025-02-01T12:00:00.000Z' && w.metric === 'entries' && w.club_id === 'C01');
        if (entries) {
          expect(entries.value).toBe(3);
          break;
        }
      }
      const rows = await query<{ scan_id: string }>(`SELECT scan_id FROM bronze_class_checkins WHERE scan_id LIKE 'LIVE%' ORDER BY 1`);
      expect(rows.map((r) => r.scan_id)).toEqual(['LIVE0', 'LIVE1', 'LIVE2']);
      const after = (await (await fetch(`${base}/live/occupancy`)).json()) as Occupancy;
      const c01 = after.clubs.find((c) => c.club_id === 'C01');
      const before = live.clubs.find((c) => c.club_id === 'C01')?.occupancy ?? 0;
      expect(c01!.occupancy).toBeGreaterThanOrEqual(3);
      expect(c01!.occupancy - before).toBeLessThanOrEqual(3);
      await occupancyRow('C01', c01!.occupancy).waitFor({ timeout: 30_000 });
      expect(Number(await page.getAttribute('[data-updates]', 'data-updates'))).toBeGreaterThan(0);
      await screenshot(page, 'live-streaming');
      expect(problems).toEqual([]);

      // a check-in now: the member's live features move within seconds, and the class is not recommended back
      const member = 'M0000002';
      const before2 = (await (await fetch(`${base}/live/members/${member}`)).json()) as { features: Record<string, unknown> };
      const scannedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      const sent = Date.now();
      expect((await post('class_checkins', [{ scan_id: 'NOW1', member_id: member, session_id: 'CS-NOW', club_id: 'C01', scanned_at: scannedAt.toISOString() }])).status).toBe(202);
      let liveNow: { features: Record<string, unknown>; freshness: string } | undefined;
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(50)) {
        const r = (await (await fetch(`${base}/live/members/${member}`)).json()) as { features: Record<string, unknown>; freshness: string };
        if (r.features.last_checkin_ms === scannedAt.getTime()) {
          liveNow = r;
          break;
        }
      }
      const seconds = (Date.now() - sent) / 1000;
      expect(before2.features.last_checkin_ms).not.toBe(scannedAt.getTime());
      expect(liveNow).toMatchObject({ freshness: 'fresh', features: { checkins_today: 1, last_checkin_club: 'C01', live_day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) } });
      expect(seconds).toBeLessThan(10);
      const rec = (await (await fetch(`${base}/recommend/${member}?kind=classes&k=50`)).json()) as { items: { item: string }[]; just_checked_in: { at: string; club_id: string; skipped: string[] } };
      expect(rec.just_checked_in).toMatchObject({ at: scannedAt.toISOString(), club_id: 'C01' });
      for (const s of rec.just_checked_in.skipped) expect(s.startsWith('C01:')).toBe(true);
      expect(rec.items.filter((i) => rec.just_checked_in.skipped.includes(i.item))).toEqual([]);
    } finally {
      await browser?.close();
      sse.abort();
      stream.kill('SIGTERM');
      api.kill('SIGTERM');
      await Promise.all([exited(stream), exited(api)]);
    }
  });

  it('features check-skew: the streaming view online equals its offline values from bronze', () => {
    const r = runCli(['features', 'check-skew', '--views', 'member_live', '--sample', '300'], env);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok {3}member_live: \d+ of \d+ entities online since \S+ checked at .*: 0 differing value\(s\), 0 missing\n$/);
    expect(r.status).toBe(0);
  });

  it('refuses to run without Kafka configured, naming how to configure it', () => {
    const r = runCli(['stream'], { FITLAKE_LAKEHOUSE: lake.root });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^fitlake: fitlake stream needs Kafka: pass --brokers host:port, or set FITLAKE_SOURCE=kafka/);
    const bad = runCli(['simulate', '--rate', '0', '--brokers', kafka.brokers[0]], { FITLAKE_LAKEHOUSE: lake.root });
    expect([bad.status, bad.stderr]).toEqual([2, 'fitlake: --rate must be a positive number, got "0"\n']);
    const batch = runCli(['stream', '--max-batch', '0', '--brokers', kafka.brokers[0]], { FITLAKE_LAKEHOUSE: lake.root });
    expect([batch.status, batch.stderr]).toEqual([2, 'fitlake: --max-batch must be ≥ 1, got 0\n']);
    const brokers = runCli(['stream', '--brokers', 'nohost'], { FITLAKE_LAKEHOUSE: lake.root });
    expect([brokers.status, brokers.stderr]).toEqual([2, 'fitlake: --brokers: brokers.0: host:port\n']);
    const host = runCli(['stream', '--brokers', kafka.brokers[0], '--metrics-host', '192.0.2.1', '--metrics-port', '9999'], { FITLAKE_LAKEHOUSE: lake.root });
    expect([host.status, host.stderr]).toEqual([2, 'fitlake: cannot listen on 192.0.2.1:9999 (EADDRNOTAVAIL): choose another --metrics-host or --metrics-port\n']);
  });

  it('reports a broker it cannot reach in /readyz and keeps retrying; a taken metrics port is said plainly', async () => {
    const [port, dead] = [await freePort(), await freePort()];
    const p = child(['stream', '--brokers', `127.0.0.1:${dead}`, '--metrics-port', String(port)]);
    try {
      let ready: { status: number; body: { status: string; reason?: string } } | undefined;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        if (r) ready = { status: r.status, body: (await r.json()) as { status: string; reason?: string } };
        if (ready?.body.reason?.startsWith('consumer error')) break;
      }
      expect(ready).toMatchObject({ status: 503, body: { status: 'not_ready', reason: expect.stringMatching(/^consumer error, retrying in \d+ ms: /) } });
      expect((await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).match(/^fitlake_stream_errors_total (\d+)/m)?.[1]).not.toBe('0');
      const taken = runCli(['stream', '--brokers', `127.0.0.1:${dead}`, '--metrics-port', String(port)], { FITLAKE_LAKEHOUSE: lake.root }, { timeoutMs: 30_000 });
      expect([taken.status, taken.stderr]).toEqual([4, `fitlake: 127.0.0.1:${port} is already in use (another fitlake stream?): choose another with --metrics-port\n`]);
    } finally {
      p.kill('SIGTERM');
      expect(await exited(p)).toBe(0);
    }
  });
});
