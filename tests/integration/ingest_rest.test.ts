import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { silentLogger } from '../../core/logger';
import { Db } from '../../pipelines/engine/duckdb/db';
import { createBronzeViews } from '../../pipelines/bronze/reader';
import { LandingSource } from '../../pipelines/source/landing_source';
import { feedSpec } from '../../pipelines/feeds';
import { createApp } from '../../serving/app';
import { buildContext } from '../../serving/server';
import type { ApiContext } from '../../serving/context';
import { KafkaSource } from '../../pipelines/source/kafka_source';
import { simulate } from '../../pipelines/stream/simulate';
import { restSink } from '../../pipelines/stream/rest_sink';
import { fixtureCopy } from '../fixtures/cache';
import { servingConfig } from '../fixtures/lakes';
import { runCli } from './cli_runner';
import { freePort } from './redis_server';

jest.setTimeout(180_000);

const KEY = 'ingest-k3y';
const checkin = (i: number) => ({ scan_id: `RS${i}`, member_id: 'M0000001', session_id: 'CS1', club_id: 'C01', scanned_at: `2026-01-02T10:0${i}:00Z`, booking_source: 'app', device_id: 'D1' });

async function bronzeRows(root: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await Db.open({ memoryLimit: '1GB' });
  try {
    await createBronzeViews(db, root);
    return await db.all(sql);
  } finally {
    db.close();
  }
}

describe('POST /ingest/:feed (REST ingestion into the landing source)', () => {
  const lake = fixtureCopy('serving');
  let app: Express;
  let ctx: ApiContext;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const config = servingConfig(lake.root);
    const built = await buildContext({ ...config, serving: { ...config.serving, reloadIntervalMs: 0 } }, silentLogger, { FITLAKE_INGEST_API_KEY: KEY });
    close = built.close;
    ctx = built.ctx;
    app = createApp({ ...built.ctx, rateLimitPerMinute: 0, requestLogs: false });
  });
  afterAll(async () => {
    await close();
    lake.cleanup();
  });

  it('refuses a missing or wrong key, an unknown feed, and events that break the contract, naming the field', async () => {
    const post = (feed: string, body: unknown, key: string | null = KEY) => {
      const r = request(app).post(`/ingest/${feed}`);
      return (key === null ? r : r.set('x-api-key', key)).send(body as object);
    };
    expect((await post('class_checkins', [checkin(1)], null).expect(401)).body.error).toMatchObject({ code: 'unauthorized', message: 'missing or wrong X-API-Key' });
    await post('class_checkins', [checkin(1)], 'nope').expect(401);
    expect((await post('gym_gossip', [checkin(1)]).expect(404)).body.error).toMatchObject({ field: 'feed', message: expect.stringMatching(/^no feed "gym_gossip" \(feeds: memberships, /) });
    expect((await post('class_checkins', { scan_id: 'x' }).expect(400)).body.error).toMatchObject({ field: 'body', message: 'body: must be a JSON array of events' });
    expect((await post('class_checkins', [checkin(1), { ...checkin(2), mood: 'great' }]).expect(400)).body.error).toMatchObject({ field: 'body.1.mood', message: expect.stringMatching(/^body\[1\]\.mood: "mood" is not a field of class_checkins/) });
    expect((await post('class_checkins', [{ ...checkin(1), member_id: { id: 1 } }]).expect(400)).body.error).toMatchObject({ field: 'body.0.member_id' });
    expect((await post('class_checkins', [{ ...checkin(1), scanned_at: ' ' }]).expect(400)).body.error).toMatchObject({ field: 'body.0.scanned_at', message: 'body[0].scanned_at: "scanned_at" is required' });
    expect((await post('class_checkins', Array.from({ length: 5001 }, (_, i) => checkin(i % 9))).expect(413)).body.error).toMatchObject({ code: 'payload_too_large', field: 'body' });
    const malformed = await request(app).post('/ingest/class_checkins').set('x-api-key', KEY).set('content-type', 'application/json').send('[{"scan_id":').expect(400);
    expect(malformed.body.error).toMatchObject({ field: 'body', message: 'body: not valid JSON' });
    const file = new LandingSource(join(lake.root, 'landing'), 'America/New_York').fileFor(feedSpec('class_checkins'));
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });

  it('answers 202 once appended and fsynced; a CSV feed gets its header; ingest takes them into bronze', async () => {
    const res = await request(app).post('/ingest/class_checkins').set('x-api-key', KEY).send([checkin(1), checkin(2)]).expect(202);
    expect(res.body).toEqual({ feed: 'class_checkins', accepted: 2, durable_in: 'landing' });
    await request(app).post('/ingest/retail_sales').set('x-api-key', KEY).send([{ txn_id: 'RT1', line_no: 1, sold_at: '01/02/2026 10:15 AM', club_id: 'C01', member_id: 'M0000001', sku: 'SUP-001', quantity: 2, unit_price: '29.99', payment_method: 'card, contactless' }]).expect(202);
    const source = new LandingSource(join(lake.root, 'landing'), 'America/New_York');
    expect(readFileSync(source.fileFor(feedSpec('retail_sales')), 'utf8')).toBe('txn_id,line_no,sold_at,club_id,member_id,sku,quantity,unit_price,payment_method\nRT1,1,01/02/2026 10:15 AM,C01,M0000001,SUP-001,2,29.99,"card, contactless"\n');
    const r = runCli(['ingest', '--settle-seconds', '0'], { FITLAKE_LAKEHOUSE: lake.root });
    expect(r.status).toBe(0);
    const rows = await bronzeRows(lake.root, `SELECT scan_id, date::VARCHAR AS date FROM bronze_class_checkins WHERE scan_id LIKE 'RS%' UNION ALL SELECT txn_id || '/' || payment_method, date::VARCHAR FROM bronze_retail_sales WHERE txn_id = 'RT1' ORDER BY 1`);
    expect(rows).toEqual([
      { scan_id: 'RS1', date: '2026-01-02' },
      { scan_id: 'RS2', date: '2026-01-02' },
      { scan_id: 'RT1/card, contactless', date: '2026-01-02' },
    ]);
  });

  it('answers 503 with Retry-After, and keeps nothing, when the source cannot make events durable (Kafka down)', async () => {
    const port = await freePort();
    const kafka = new KafkaSource({ type: 'kafka', brokers: [`127.0.0.1:${port}`], topicPrefix: 'down.', partitions: 1 });
    const down = createApp({ ...ctx, source: kafka, rateLimitPerMinute: 0, requestLogs: false });
    try {
      const res = await request(down).post('/ingest/class_checkins').set('x-api-key', KEY).send([checkin(1)]).expect(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(new RegExp(`^cannot make class_checkins events durable on Kafka \\(127\\.0\\.0\\.1:${port}\\)`)) });
    } finally {
      await kafka.close();
    }
  });

  it('fitlake simulate --target rest posts a replay through the API; a refusal stops it with the API\'s answer', async () => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const landing = join(lake.root, 'landing');
      const opts = { rate: 100_000, limit: 400, seed: 1, jitterMs: 1000, lateShare: 0, duplicateShare: 0, feeds: ['class_checkins', 'retail_sales'] };
      const source = new LandingSource(landing, 'America/New_York');
      const lines = (feed: string) => readFileSync(source.fileFor(feedSpec(feed)), 'utf8').split('\n').filter((l) => l !== '').length;
      const before = { class_checkins: lines('class_checkins'), retail_sales: lines('retail_sales') };
      const tally = await simulate(landing, 'America/New_York', opts, restSink(url, KEY), { logger: silentLogger });
      expect(tally.sent).toBe(400);
      expect(tally.byFeed.class_checkins + tally.byFeed.retail_sales).toBe(400);
      expect(lines('class_checkins') - before.class_checkins).toBe(tally.byFeed.class_checkins);
      expect(lines('retail_sales') - before.retail_sales).toBe(tally.byFeed.retail_sales);
      await expect(simulate(landing, 'America/New_York', { ...opts, limit: 5 }, restSink(url, 'wrong'), { logger: silentLogger })).rejects.toMatchObject({
        httpStatus: 400,
        message: expect.stringMatching(new RegExp(`^${url}/ingest/\\w+ answered 401: \\{"error":\\{"code":"unauthorized","message":"missing or wrong X-API-Key"`)),
      });
    } finally {
      server.close();
    }
  });

  it('simulate says which flag is wrong before sending anything', () => {
    const env = { FITLAKE_LAKEHOUSE: lake.root };
    const cases: [string[], string][] = [
      [['--target', 'pigeon'], '--target must be kafka or rest, got "pigeon"'],
      [['--feeds', 'class_checkins,gossip'], '--feeds: no feed "gossip" (feeds: memberships, class_sessions, class_checkins, facility_usage, products, retail_sales, app_events, cancellations, equipment_usage, wearables)'],
      [['--late-share', '1.5'], '--late-share must be a share between 0 and 1, got "1.5"'],
      [['--from-day', '2025-1-1'], '--from-day must be a date YYYY-MM-DD, got "2025-1-1"'],
      [['--target', 'rest'], '--target rest needs --url (the fitlake API, e.g. http://127.0.0.1:3000)'],
      [['--url', 'http://127.0.0.1:1'], "--target rest needs the API's ingestion key in FITLAKE_INGEST_API_KEY"],
      [[], 'fitlake simulate needs Kafka: pass --brokers host:port, or set FITLAKE_SOURCE=kafka (and FITLAKE_KAFKA_BROKERS) or "source": {"type": "kafka"} in fitlake.config.json'],
    ];
    for (const [args, message] of cases) {
      const r = runCli(['simulate', ...args], env);
      expect([args.join(' '), r.status, r.stderr]).toEqual([args.join(' '), 2, `fitlake: ${message}\n`]);
    }
  });

  it('GET /live/members/:member: 404 naming a member the stream never wrote, 400 for a bad id', async () => {
    const res = await request(app).get('/live/members/M9999999').expect(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', field: 'member', message: 'member M9999999 has no live features in the online store' });
    expect((await request(app).get('/live/members/bad%20id').expect(400)).body.error).toMatchObject({ field: 'member' });
  });

  it('keeps accepted events when the server is killed right after its 202', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'fitlake.js'), 'serve', '--port', String(port)], {
      env: { ...process.env, FITLAKE_LAKEHOUSE: lake.root, FITLAKE_INGEST_API_KEY: KEY, FITLAKE_LOG_LEVEL: 'warn', FITLAKE_RELOAD_INTERVAL_MS: '0' },
      stdio: 'ignore',
    });
    try {
      for (const deadline = Date.now() + 60_000; ; ) {
        const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (up) break;
        if (Date.now() > deadline) throw new Error('fitlake serve did not start');
        await new Promise((r) => setTimeout(r, 200));
      }
      const events = Array.from({ length: 300 }, (_, i) => ({ ...checkin(0), scan_id: `KILL${i}` }));
      const res = await fetch(`http://127.0.0.1:${port}/ingest/class_checkins`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(events) });
      server.kill('SIGKILL');
      expect(res.status).toBe(202);
    } finally {
      server.kill('SIGKILL');
    }
    expect(runCli(['ingest', '--settle-seconds', '0'], { FITLAKE_LAKEHOUSE: lake.root }).status).toBe(0);
    const [n] = await bronzeRows(lake.root, `SELECT count(DISTINCT scan_id) AS n, count(*) AS rows FROM bronze_class_checkins WHERE scan_id LIKE 'KILL%'`);
    expect({ n: Number(n.n), rows: Number(n.rows) }).toEqual({ n: 300, rows: 300 });
  });
});
