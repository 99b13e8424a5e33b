import type { AddressInfo } from 'node:net';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Agent, get as httpGet, type Server } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { silentLogger } from '../../core/logger';
import { createApp } from '../../serving/app';
import { EMBEDDED_FILE } from '../../features/online/embedded_online_store';
import { DEFINITIONS } from '../../features/definitions';
import { FeatureStore } from '../../features/store';
import type { ApiContext } from '../../serving/context';
import { buildContext, serve } from '../../serving/server';
import { FileRunTracker } from '../../training/tracking/file_tracker';
import type { Config } from '../../core/config';
import { fixtureCopy } from '../fixtures/cache';
import { servingConfig } from '../fixtures/lakes';

jest.setTimeout(180_000);

/** A seeded stream of malformed requests: bodies, ids, query strings, methods. */
function fuzzCases(n: number, seed: number): { method: 'get' | 'post'; path: string; body?: string; type?: string }[] {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const junk = () => pick(['', ' ', '..', '../../etc/passwd', '%00', '%2e%2e%2f', 'M0000001'.repeat(1 + Math.floor(r() * 40)), '😀', '<script>', "' OR 1=1", '__proto__', 'constructor', String(r()), '-1', 'NaN', '1e309', '%', '%zz', 'a b', 'M' + Math.floor(r() * 1e7)]);
  const value = (depth: number): unknown => {
    const makers: (() => unknown)[] = [
      () => null,
      () => r() * 1e6 - 5e5,
      junk,
      () => true,
      () => [],
      () => Array.from({ length: Math.floor(r() * 5) }, () => value(depth + 1)),
      () => Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [pick(['member_id', 'member_ids', '__proto__', 'constructor', 'x', junk()]), value(depth + 1)])),
      () => ({ member_ids: Array.from({ length: Math.floor(r() * 700) }, () => (depth > 0 ? junk() : value(depth + 1))) }),
    ];
    return makers[Math.floor(r() * (depth > 2 ? 5 : makers.length))]();
  };
  return Array.from({ length: n }, () => {
    const kind = Math.floor(r() * 6);
    if (kind === 0) return { method: 'post', path: '/predict/churn', body: JSON.stringify(value(0)), type: 'application/json' };
    if (kind === 1) return { method: 'post', path: '/predict/churn', body: Array.from({ length: Math.floor(r() * 64) }, () => String.fromCharCode(Math.floor(r() * 256))).join(''), type: pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) };
    if (kind === 2) return { method: 'get', path: `/recommend/${encodeURIComponent(junk())}?${pick(['kind', 'k', 'x', 'kind[]', '__proto__'])}=${encodeURIComponent(junk())}&${pick(['k', 'kind'])}=${encodeURIComponent(junk())}` };
    if (kind === 3) return { method: 'get', path: `/forecast/supplements?weeks=${encodeURIComponent(junk())}&sku=${encodeURIComponent(junk())}` };
    if (kind === 4) return { method: 'get', path: `/members/${encodeURIComponent(junk())}/features` };
    return { method: pick(['get', 'post']), path: pick(['/predict/churn', '/admin/reload', '/models', '/', '/recommend', '/recommend/', `/${junk()}`]) };
  });
}

describe('API resilience: fuzzing, hot reload under load, graceful shutdown, log privacy', () => {
  const lake = fixtureCopy('serving');
  let config: Config;
  let tracker: FileRunTracker;
  let ctx: ApiContext;
  let close: () => Promise<void>;
  let server: Server;
  let base: string;
  let member: string;

  beforeAll(async () => {
    config = servingConfig(lake.root);
    tracker = new FileRunTracker(join(lake.root, 'mlruns'));
    ({ ctx, close } = await buildContext({ ...config, serving: { ...config.serving, reloadIntervalMs: 0 } }, silentLogger, { FITLAKE_ADMIN_API_KEY: 'k3y' }));
    server = createApp({ ...ctx, rateLimitPerMinute: 0, requestLogs: false }).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    member = ctx.models.current().recommenders.classes!.model.model.members[0];
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await close();
    lake.cleanup();
  });

  it('answers 3,000 malformed requests without a 5xx and keeps serving', async () => {
    const statuses = new Map<number, number>();
    for (const c of fuzzCases(3000, 7)) {
      const res = await fetch(base + c.path, { method: c.method.toUpperCase(), body: c.body, headers: c.type ? { 'content-type': c.type } : {} });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) throw new Error(`${res.status} for ${c.method} ${c.path} ${c.body?.slice(0, 200)}`);
    }
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(400)).toBeGreaterThan(1000);
    expect((await request(base).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
    await request(base).post('/predict/churn').send({ member_id: member }).expect(200);
  });

  it('swaps a new champion in under concurrent requests without failing or mixing any', async () => {
    const seen: string[] = [];
    const failures: string[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const res = await fetch(`${base}/predict/churn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ member_id: member }) });
        const body = (await res.json()) as { model?: { version: string } };
        if (res.status !== 200 || !body.model) failures.push(`${res.status}`);
        else seen.push(body.model.version);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 300));
    const v1 = (await tracker.getVersionByAlias('churn', 'champion'))!;
    const run = { runId: v1.runId, experimentId: '', artifactUri: v1.source.replace(/\/model$/, '') };
    const v2 = await tracker.createModelVersion('churn', run, 'model', Object.entries(v1.tags).map(([key, value]) => ({ key, value })));
    await tracker.setAlias('churn', 'champion', v2.version);
    const reload = await request(base).post('/admin/reload').set('x-api-key', 'k3y').expect(200);
    expect(reload.body.changed).toEqual([`churn@${v2.version}`]);
    expect((await request(base).get('/metrics').expect(200)).text).toMatch(new RegExp(`fitlake_model_info\\{model="churn",version="${v2.version}"`));
    const before = seen.length;
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await Promise.all(workers);
    expect(failures).toEqual([]);
    expect(seen.length).toBeGreaterThan(100);
    expect(new Set(seen)).toEqual(new Set(['1', v2.version]));
    expect(seen.slice(before + 8).every((v) => v === v2.version)).toBe(true);
  });

  it('picks up a moved alias by polling, without an admin call', async () => {
    await tracker.setAlias('churn', 'champion', '1');
    ctx.models.start(50);
    try {
      for (let i = 0; i < 100 && ctx.models.current().churn!.version !== '1'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(ctx.models.current().churn!.version).toBe('1');
      expect((await request(base).get('/metrics').expect(200)).text).toMatch(/fitlake_model_info\{model="churn",version="1",alias="champion"\} 1/);
    } finally {
      ctx.models.stop();
    }
  });

  it('logs one line per request with its id and no member ids, names or bodies', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    const app = createApp({ ...ctx, logger: pino({ level: 'info' }, sink), rateLimitPerMinute: 0 });
    await request(app).post('/predict/churn').set('x-request-id', 'req-123').send({ member_id: member }).expect(200);
    await request(app).get(`/recommend/${member}`).expect(200);
    await request(app).get(`/members/${member}/features?x=1`).expect(400);
    // routes match in any letter case: the log names the route, never the path as sent
    await request(app).get(`/RECOMMEND/${member}`).expect(200);
    await request(app).get(`/Members/${member.toLowerCase()}/Features`).expect(404);
    await request(app).get(`/nowhere/${member}`).expect(404);
    expect(lines).toHaveLength(6);
    expect(lines.slice(3).map((l) => JSON.parse(l).route)).toEqual(['/recommend/:member', '/members/:member/features', '(no route)']);
    expect(JSON.parse(lines[0])).toMatchObject({ req: { id: 'req-123', method: 'POST' }, route: '/predict/churn', res: { status: 200 } });
    expect(JSON.parse(lines[1]).route).toBe('/recommend/:member');
    expect(lines.join('\n').toUpperCase()).not.toContain(member.toUpperCase());
    expect(lines.join('\n')).not.toMatch(/@|first_name|email|phone/);
  });

  it('keeps serving what it mapped when the online-store file is replaced by one that is not LMDB, says why, and logs no member data', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    const built = await buildContext({ ...config, serving: { ...config.serving, reloadIntervalMs: 0 } }, pino({ level: 'info' }, sink), {});
    const app = createApp({ ...built.ctx, rateLimitPerMinute: 0, requestLogs: false });
    const before = (await request(app).get(`/members/${member}/features`).expect(200)).body.features;
    const file = join(lake.root, 'features', 'online', EMBEDDED_FILE);
    const kept = `${file}.kept`;
    try {
      // a damaged copy swapped in by rename (the way any tool replaces a file); member ids in its bytes
      writeFileSync(`${file}.new`, `${member} ${'x'.repeat(9000)}`);
      renameSync(file, kept);
      renameSync(`${file}.new`, file);
      built.ctx.models.start(20);
      await new Promise((r) => setTimeout(r, 250)); // a dozen polls, none of which may take the process down
      built.ctx.models.stop();
      await expect(built.ctx.models.reload()).resolves.toEqual([]);
      expect((await request(app).get(`/members/${member}/features`).expect(200)).body.features).toEqual(before);
      const ready = await request(app).get('/readyz').expect(200);
      expect(ready.body.online_store).toMatch(/^serving the values loaded before: online store file .*embedded\.mdb is not an LMDB environment/);
      expect((await request(app).get('/models').expect(200)).body.store_error).toMatch(/embedded\.mdb is not an LMDB environment/);
      expect((await request(app).get('/metrics').expect(200)).text).toMatch(/^fitlake_store_refresh_failed 1$/m);
      expect(lines.filter((l) => l.includes('refreshing the stores failed'))).toHaveLength(1);
      expect(lines.join('')).not.toMatch(/M\d{7}/);
      // the good file back (another inode): reopened, and the error is gone
      renameSync(kept, file);
      await built.ctx.models.reload();
      expect((await request(app).get('/readyz').expect(200)).body.online_store).toBe('ok');
      expect((await request(app).get('/metrics').expect(200)).text).toMatch(/^fitlake_store_refresh_failed 0$/m);
      expect((await request(app).get(`/members/${member}/features`).expect(200)).body.features).toEqual(before);
    } finally {
      if (existsSync(kept)) renameSync(kept, file);
      await built.close();
    }
  });

  it('refuses a churn model whose features were never materialized into the online store, naming them', async () => {
    const other = fixtureCopy('serving', { without: ['landing', 'bronze'] });
    try {
      rmSync(join(other.root, 'features', 'materializations'), { recursive: true, force: true });
      const built = await buildContext({ ...servingConfig(other.root), serving: { ...config.serving, reloadIntervalMs: 0 } }, silentLogger, {});
      const app = createApp({ ...built.ctx, rateLimitPerMinute: 0, requestLogs: false });
      const models = (await request(app).get('/models').expect(200)).body.models as { name: string; error: string | null }[];
      expect(models.find((m) => m.name === 'churn')!.error).toMatch(
        /^its features are not served: member_visits, member_retail, member_app, member_wearables, member_profile never materialized into the embedded online store \(the model was trained on feature service churn of registry v1\); run `fitlake features materialize`$/,
      );
      expect(models.find((m) => m.name === 'recommender-classes')!.error).toBeNull();
      expect((await request(app).get('/readyz').expect(503)).body.ready).toBe(false);
      const res = await request(app).post('/predict/churn').send({ member_id: member }).expect(503);
      expect(res.body.error.message).toMatch(/^churn model not loaded: its features are not served/);
      await built.close();
    } finally {
      other.cleanup();
    }
  });

  it('refuses a recommender whose features the registry no longer declares, naming the feature; the other models still serve', async () => {
    const other = fixtureCopy('serving', { without: ['landing', 'bronze'] });
    try {
      const cfg = { ...servingConfig(other.root), serving: { ...config.serving, reloadIntervalMs: 0 } };
      const store = FeatureStore.open(cfg, { logger: silentLogger });
      const { registry } = store.apply({ ...DEFINITIONS, views: DEFINITIONS.views.filter((v) => v.name !== 'member_purchases'), services: DEFINITIONS.services.filter((s) => s.name !== 'recommend_products') });
      await store.close();
      const built = await buildContext(cfg, silentLogger, {});
      const app = createApp({ ...built.ctx, rateLimitPerMinute: 0, requestLogs: false });
      const models = (await request(app).get('/models').expect(200)).body.models as { name: string; error: string | null }[];
      expect(models.find((m) => m.name === 'recommender-products')!.error).toBe(
        `its features are no longer declared: unknown feature ref "member_purchases:day": expected "view:feature" or "view" with view one of ${registry.views.map((v) => v.name).join(', ')} (the model was trained on feature service recommend_products of registry v1); retrain it (npm run train)`,
      );
      expect(models.filter((m) => m.error !== null).map((m) => m.name)).toEqual(['recommender-products']);
      const res = await request(app).get(`/recommend/${member}?kind=products`).expect(503);
      expect(res.body.error.message).toMatch(/^recommender-products not loaded: its features are no longer declared: unknown feature ref "member_purchases:day"/);
      await request(app).get(`/recommend/${member}?kind=classes`).expect(200);
      await built.close();
    } finally {
      other.cleanup();
    }
  });

  it('cuts a client that sends its headers too slowly, and refuses connections beyond the cap', async () => {
    const s = await serve({ ...config, serving: { ...config.serving, port: 0, reloadIntervalMs: 0, headersTimeoutMs: 300, requestTimeoutMs: 2_000, maxConnections: 3 } }, silentLogger, { signals: false });
    const port = (s.server.address() as AddressInfo).port;
    const open = () =>
      new Promise<Socket>((resolve, reject) => {
        const sock = connect(port, '127.0.0.1', () => resolve(sock));
        sock.once('error', reject);
      });
    const closedWithin = (sock: Socket, ms: number) =>
      new Promise<{ closed: boolean; data: string; after: number }>((resolve) => {
        let data = '';
        const t0 = Date.now();
        sock.on('data', (d) => (data += String(d)));
        const timer = setTimeout(() => resolve({ closed: false, data, after: Date.now() - t0 }), ms);
        sock.once('close', () => (clearTimeout(timer), resolve({ closed: true, data, after: Date.now() - t0 })));
      });
    try {
      const slow = await open();
      slow.write('GET /healthz HTTP/1.1\r\nHost: fitlake\r\n'); // and never the blank line
      const cut = await closedWithin(slow, 3_000);
      expect(cut.closed).toBe(true);
      expect(cut.after).toBeLessThan(2_000);
      expect(cut.data).toMatch(/^HTTP\/1\.1 408/);
      const held = await Promise.all([open(), open(), open()]);
      const extra = await open();
      expect((await closedWithin(extra, 1_000)).closed).toBe(true);
      held.forEach((h) => h.destroy());
      await new Promise((r) => setTimeout(r, 50));
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  it('drains in-flight requests on shutdown, then refuses new connections', async () => {
    const s = await serve({ ...config, serving: { ...config.serving, port: 0, reloadIntervalMs: 0 } }, silentLogger, { signals: false });
    const url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    const arrived = new Promise((r) => s.server.once('request', r));
    const inflight = Array.from({ length: 20 }, () => fetch(`${url}/predict/churn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ member_ids: Array(200).fill(member) }) }));
    await arrived;
    await s.stop();
    const done = await Promise.allSettled(inflight);
    const ok = done.filter((d) => d.status === 'fulfilled' && d.value.status === 200).length;
    const refused = done.filter((d) => d.status === 'rejected').length;
    expect(ok + refused).toBe(20);
    expect(ok).toBeGreaterThan(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('loses no request of keep-alive clients during shutdown: each gets its answers, the last saying Connection: close', async () => {
    // an idle grace no scheduling stall of a loaded test machine reaches (the default is 1 s)
    const s = await serve({ ...config, serving: { ...config.serving, port: 0, reloadIntervalMs: 0 } }, silentLogger, { signals: false, idleGraceMs: 5_000 });
    const port = (s.server.address() as AddressInfo).port;
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const get = () =>
      new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const req = httpGet({ host: '127.0.0.1', port, path: `/members/${member}/features`, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
        });
        req.on('error', reject);
      });
    const client = async () => {
      const seen: { status: number; connection: string | undefined }[] = [];
      for (;;) {
        const r = await get();
        seen.push(r);
        if (r.connection === 'close') return seen;
      }
    };
    const clients = Array.from({ length: 20 }, client);
    await new Promise((r) => setTimeout(r, 300));
    await s.stop();
    const results = await Promise.allSettled(clients);
    agent.destroy();
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const seen = results.map((r) => (r as PromiseFulfilledResult<{ status: number; connection: string | undefined }[]>).value);
    expect(seen.every((c) => c.length > 1 && c.every((x) => x.status === 200) && c.at(-1)!.connection === 'close')).toBe(true);
  });
});
