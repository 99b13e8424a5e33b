import { EmbeddedOnlineStore } from '../../features/online/embedded_online_store';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import request from 'supertest';
import type { Config } from '../../core/config';
import type { Express } from 'express';
import { silentLogger } from '../../core/logger';
import { FeatureStore } from '../../features/store';
import { createApp } from '../../serving/app';
import type { ApiContext } from '../../serving/context';
import { ApiMetrics } from '../../serving/metrics';
import { buildContext, httpServer } from '../../serving/server';
import { scoreChurn } from '../../training/churn/model';
import { fixtureCopy } from '../fixtures/cache';
import { servingConfig } from '../fixtures/lakes';
import { runCli } from './cli_runner';
import { tmpLake } from '../helpers';

jest.setTimeout(180_000);

describe('prediction API over real stores and registered models', () => {
  const lake = fixtureCopy('serving');
  let ctx: ApiContext;
  let config: Config;
  let close: () => Promise<void>;
  let app: Express;
  let store: FeatureStore;
  let known: string;
  let coldStart: string;

  beforeAll(async () => {
    config = servingConfig(lake.root);
    ({ ctx, close } = await buildContext({ ...config, serving: { ...config.serving, reloadIntervalMs: 0 } }, silentLogger, { FITLAKE_ADMIN_API_KEY: 'k3y' }));
    app = createApp({ ...ctx, rateLimitPerMinute: 0, requestLogs: false });
    store = FeatureStore.open(config, { logger: silentLogger });
    const classes = ctx.models.current().recommenders.classes!.model;
    known = classes.model.members[0];
    const online = await ctx.memberFeatures.read(Array.from({ length: 700 }, (_, i) => `M${String(i + 1).padStart(7, '0')}`), ctx.now());
    coldStart = online.find((f) => f.freshness === 'fresh' && !classes.knows(f.key))!.key;
  });
  afterAll(async () => {
    await close();
    await store.close();
    lake.cleanup();
  });

  it('scores one member with the champion, explains it, and matches scoring the online vector directly', async () => {
    const res = await request(app).post('/predict/churn').send({ member_id: known }).expect(200);
    const churn = ctx.models.current().churn!;
    const [f] = await churn.reader.read([known], ctx.now());
    const [expected] = scoreChurn(churn.model, [f.values]);
    expect(res.body).toMatchObject({ member_id: known, churn_probability: expected.probability, risk_band: expected.band, model: { name: 'churn', version: '1', alias: 'champion' }, freshness: 'fresh', missing_features: [] });
    expect(res.body.top_features).toEqual(expected.contributions.slice(0, 5));
    expect(res.body.feature_timestamp).toBe(f.featureTs);
    expect(res.headers['x-request-id']).toMatch(/^[\w-]+$/);
  });

  it('sends an API security policy on JSON responses: nothing loads or frames them, no sniffing, HSTS', async () => {
    const res = await request(app).get('/healthz').expect(200);
    expect(res.headers).toMatchObject({
      'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers the same through httpServer (requests born with Express prototypes) as through a plain node server', async () => {
    const server = httpServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const post = (body: unknown) => fetch(`${base}/predict/churn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      for (let i = 0; i < 3; i++) {
        const fast = await post({ member_id: known });
        expect(fast.status).toBe(200);
        expect(await fast.json()).toEqual((await request(app).post('/predict/churn').send({ member_id: known })).body);
      }
      const bad = await post({ member_id: 'a/b' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('member_id');
      const rec = await fetch(`${base}/recommend/${known}?kind=products&k=3`);
      expect(((await rec.json()) as { items: unknown[] }).items).toHaveLength(3);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('scores a batch, marking unknown members instead of failing the batch', async () => {
    const res = await request(app).post('/predict/churn').send({ member_ids: [known, 'M9999999'] }).expect(200);
    expect(res.body.predictions).toHaveLength(2);
    expect(res.body.predictions[0].member_id).toBe(known);
    expect(res.body.predictions[1]).toEqual({ member_id: 'M9999999', error: { code: 'not_found', message: expect.stringMatching(/no features in the online store/) } });
  });

  it.each([
    ['a path as id', { member_id: '../etc/passwd' }, 400, 'member_id'],
    ['a number as id', { member_id: 42 }, 400, 'member_id'],
    ['an empty batch', { member_ids: [] }, 400, 'member_ids'],
    ['501 ids (max 500)', { member_ids: Array.from({ length: 501 }, (_, i) => `M${i}`) }, 400, 'member_ids'],
    ['an unknown field', { member_id: 'M1', extra: true }, 400, 'extra'],
    ['no id', {}, 400, 'member_id'],
    ['an unknown member', { member_id: 'M9999999' }, 404, 'member_id'],
  ])('answers %s with a 4xx naming the field', async (_label, body, status, field) => {
    const res = await request(app).post('/predict/churn').send(body as object).expect(status);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toBeTruthy();
    expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|node_modules/);
  });

  it('refuses broken JSON, other content and oversized bodies with 4xx JSON', async () => {
    expect((await request(app).post('/predict/churn').set('content-type', 'application/json').send('{"member_id":').expect(400)).body.error).toMatchObject({ field: 'body', message: 'body: not valid JSON' });
    expect((await request(app).post('/predict/churn').set('content-type', 'text/plain').send('M1').expect(400)).body.error.field).toBe('body');
    await request(app).post('/predict/churn').send({ member_ids: Array.from({ length: 30000 }, () => 'M0000001') }).expect(413);
  });

  it('gives a defined answer when features are stale: unknown values, the freshness, the missing names', async () => {
    const later = createApp({ ...ctx, now: () => new Date('2027-01-01T00:00:00Z'), rateLimitPerMinute: 0, requestLogs: false });
    const res = await request(later).post('/predict/churn').send({ member_id: known }).expect(200);
    expect(res.body.freshness).toBe('stale');
    expect(res.body.missing_features.length).toBe(45);
    expect(res.body.churn_probability).toBeGreaterThan(0);
  });

  it('recommends classes and products with reasons, and falls back to club popularity on cold start', async () => {
    const res = await request(app).get(`/recommend/${known}?kind=classes&k=5`).expect(200);
    const rec = ctx.models.current().recommenders.classes!.model;
    expect(res.body).toMatchObject({ member_id: known, kind: 'classes', fallback: false, model: { name: 'recommender-classes', version: '1' } });
    expect(res.body.items).toEqual(rec.recommend(known, 5).items);
    // a class slot is named by its type, local weekday and start time to the minute, and club
    for (const i of res.body.items) expect(i.label).toMatch(/^[a-z_]+ · (Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d{2}:\d{2} · C\d+$/);
    const products = ctx.models.current().recommenders.products!.model;
    const owned = new Set([...products.history(known)].map((j) => products.model.items[j].id));
    const ids = async (list: string) => ((await request(app).get(`/recommend/${known}?kind=products&list=${list}`).expect(200)).body.items as { item: string }[]).map((i) => i.item);
    expect(await ids('all')).toEqual(products.recommend(known, 10).items.map((i) => i.item));
    const again = await ids('again');
    expect(again.length).toBe(Math.min(10, owned.size));
    for (const id of again) expect(owned.has(id)).toBe(true);
    const fresh = await ids('new');
    expect(fresh.length).toBe(Math.min(10, products.model.items.length - owned.size));
    for (const id of fresh) expect(owned.has(id)).toBe(false);
    const cold = await request(app).get(`/recommend/${coldStart}`).expect(200);
    expect(cold.body.fallback).toBe(true);
    expect(cold.body.items[0].reason).toMatch(/^popular with members of C\d+$/);
  });

  it.each([
    ['/recommend/M9999999', 404, 'member'],
    ['/recommend/M1?kind=shoes', 400, 'kind'],
    ['/recommend/M1?k=0', 400, 'k'],
    ['/recommend/M1?k=ten', 400, 'k'],
    ['/recommend/M1?limit=3', 400, 'limit'],
    ['/recommend/M1?list=old', 400, 'list'],
    ['/recommend/M%2F..%2Fx', 400, 'member'],
    ['/forecast/supplements?weeks=9', 400, 'weeks'],
    ['/forecast/supplements?sku=NOPE', 404, 'sku'],
    ['/members/M9999999/features', 404, 'member'],
    ['/members/bad%20id/features', 400, 'member'],
  ])('GET %s → %i naming %s', async (url, status, field) => {
    const res = await request(app).get(url).expect(status);
    expect(res.body.error.field).toBe(field);
  });

  it('serves the forecast per SKU with intervals, as in the model', async () => {
    const res = await request(app).get('/forecast/supplements?weeks=2').expect(200);
    const model = ctx.models.current().forecast!.model;
    expect(res.body.series).toHaveLength(model.series.length);
    expect(res.body.series[0].forecast).toEqual(model.series[0].forecast.slice(0, 2));
    for (const s of res.body.series) for (const p of s.forecast) expect(p.lo95 <= p.lo80 && p.lo80 <= p.mean && p.mean <= p.hi80 && p.hi80 <= p.hi95).toBe(true);
    const one = await request(app).get('/forecast/supplements?sku=TOTAL').expect(200);
    expect(one.body.series.map((s: { sku: string }) => s.sku)).toEqual(['TOTAL']);
    expect(one.body.series[0].forecast).toHaveLength(4);
  });

  it('exposes member features, models, health, readiness, metrics and the API description', async () => {
    const f = await request(app).get(`/members/${known}/features`).expect(200);
    expect(f.body).toMatchObject({ member_id: known, freshness: 'fresh', missing_views: [], stale_views: [] });
    expect(Object.keys(f.body.features)).toHaveLength(45);
    const models = await request(app).get('/models').expect(200);
    expect(models.body.models.map((m: { name: string; version: string }) => `${m.name}@${m.version}`)).toEqual(['churn@1', 'recommender-classes@1', 'recommender-products@1', 'supplement-forecast@1']);
    expect((await request(app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/readyz').expect(200)).body).toMatchObject({ ready: true, online_store: 'ok' });
    const metrics = await request(app).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/fitlake_http_request_duration_seconds_bucket\{[^}]*route="\/predict\/churn"/);
    expect(metrics.text).toMatch(/fitlake_model_info\{model="churn",version="1",alias="champion"\} 1/);
    const doc = await request(app).get('/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/predict/churn', '/recommend/{member}', '/forecast/supplements', '/admin/reload']));
    expect(JSON.stringify(doc.body.paths['/predict/churn'].post.requestBody)).toMatch(/member_ids/);
    const docs = await request(app).get('/docs').expect(200);
    expect(docs.text).toMatch(/<h1>fitlake API<\/h1>/);
    // the page's CSP admits exactly its inline style, by hash
    const style = /<style>(.*?)<\/style>/.exec(docs.text)![1];
    expect(docs.headers['content-security-policy']).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect((await request(app).get('/nope').expect(404)).body.error.code).toBe('not_found');
  });

  it('answers 503, not 500, when the online store returns no row for a member', async () => {
    const empty = createApp({ ...ctx, memberFeatures: Object.assign(Object.create(ctx.memberFeatures), { read: async () => [] }), rateLimitPerMinute: 0, requestLogs: false });
    const res = await request(empty).get(`/members/${known}/features`).expect(503);
    expect(res.body.error.message).toBe('online store returned nothing');
  });

  it('guards admin reload with the API key', async () => {
    expect((await request(app).post('/admin/reload').expect(401)).body.error.message).toBe('missing or wrong X-API-Key');
    await request(app).post('/admin/reload').set('x-api-key', 'wrong').expect(401);
    expect((await request(app).post('/admin/reload').set('x-api-key', 'k3y').expect(200)).body).toEqual({ changed: [] });
    const noKey = createApp({ ...ctx, apiKey: undefined, rateLimitPerMinute: 0, requestLogs: false });
    expect((await request(noKey).post('/admin/reload').set('x-api-key', 'k3y').expect(401)).body.error.message).toMatch(/set FITLAKE_ADMIN_API_KEY/);
  });

  it('serves a newer materialization written through another handle on the next read, no reload needed', async () => {
    const names = store.resolve({ features: ['member_profile'] })[0].features.map((f) => f.name);
    const [[row]] = await store.online.read('member', [{ view: 'member_profile', names }], [known]);
    expect((await request(app).get(`/members/${known}/features`).expect(200)).body.features.age_years).not.toBe(99);
    const other = EmbeddedOnlineStore.at(lake.root);
    const values = names.map((n) => (n === 'age_years' ? 99 : row!.values[n]));
    await other.write('member_profile', 'member', names, [{ key: known, featureTs: new Date(row!.featureTs + 3_600_000), createdTs: new Date(row!.createdTs + 3_600_000), values }]);
    await other.close();
    expect((await request(app).get(`/members/${known}/features`).expect(200)).body.features.age_years).toBe(99);
    await request(app).post('/admin/reload').set('x-api-key', 'k3y').expect(200);
    expect((await request(app).get(`/members/${known}/features`).expect(200)).body.features.age_years).toBe(99);
  });

  it('answers 503 until models are registered, and says why in /readyz and /models', async () => {
    const empty = await buildContext({ ...config, tracking: { type: 'file', dir: `${lake.root}/no-registry` }, serving: { ...config.serving, reloadIntervalMs: 0 } }, silentLogger, {});
    try {
      const bare = createApp({ ...empty.ctx, rateLimitPerMinute: 0, requestLogs: false });
      const p = await request(bare).post('/predict/churn').send({ member_id: known }).expect(503);
      expect(p.body.error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/churn model not loaded: no "champion" version registered yet/) });
      await request(bare).get(`/recommend/${known}`).expect(503);
      await request(bare).get('/forecast/supplements').expect(503);
      const ready = await request(bare).get('/readyz').expect(503);
      expect(ready.body).toMatchObject({ ready: false, online_store: 'ok', models: { churn: expect.stringMatching(/no "champion" version/) } });
      expect((await request(bare).get('/models').expect(200)).body.models[0]).toMatchObject({ name: 'churn', version: null, error: expect.stringMatching(/run npm run train/) });
      expect((await request(bare).get('/metrics').expect(200)).text).not.toMatch(/fitlake_model_info\{/);
    } finally {
      await empty.close();
    }
  });

  it('refuses models trained on another lakehouse, naming both', async () => {
    const other = tmpLake();
    cpSync(lake.root, other.root, { recursive: true, filter: (src) => !/_lakehouse\.json$|mlruns/.test(src) });
    const foreign = await buildContext({ ...config, lakehouse: other.root, tracking: config.tracking, serving: { ...config.serving, reloadIntervalMs: 0 } }, silentLogger, {});
    try {
      const ready = await request(createApp({ ...foreign.ctx, rateLimitPerMinute: 0, requestLogs: false })).get('/readyz').expect(503);
      const mine = JSON.parse(readFileSync(join(lake.root, '_lakehouse.json'), 'utf8')).id;
      const theirs = JSON.parse(readFileSync(join(other.root, '_lakehouse.json'), 'utf8')).id;
      expect(ready.body.models.churn).toBe(`churn v1 was trained on lakehouse ${mine}, not this one (${theirs}); train on this lakehouse (npm run train) or point the tracking store at its own registry`);
      expect(Object.values(ready.body.models).every((m) => String(m).includes('not this one'))).toBe(true);
    } finally {
      await foreign.close();
      other.cleanup();
    }
  });

  it.each(['/recommend/%', '/recommend/%zz', '/recommend/%ff%fe', '/members/%zz/features', '/RECOMMEND/%E0%A4%A'])('answers a malformed percent-escape (%s) with 400 naming the path, not 500', async (path) => {
    const res = await request(app).get(path).expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_input', field: 'path', message: 'the request path has a malformed percent-escape' });
  });

  it('tells every client not to store API answers (Cache-Control: no-store)', async () => {
    for (const res of [await request(app).post('/predict/churn').send({ member_id: known }).expect(200), await request(app).get('/nope').expect(404), await request(app).get('/healthz').expect(200)]) {
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('serve says what to do when its port is taken or there is nothing to serve yet', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as AddressInfo).port;
    try {
      const taken = runCli(['serve', '--port', String(port)], { FITLAKE_LAKEHOUSE: lake.root });
      expect([taken.status, taken.stderr]).toEqual([4, `fitlake: 127.0.0.1:${port} is already in use (another fitlake serve?): stop it, or choose another port with --port or PORT\n`]);
    } finally {
      blocker.close();
    }
    const empty = tmpLake();
    try {
      const untrained = runCli(['serve', '--port', '0'], { FITLAKE_LAKEHOUSE: empty.root });
      expect(untrained.status).toBe(2);
      expect(untrained.stderr).toMatch(/^fitlake: no feature registry under .*: run `npm run train` \(it prepares the data, registers the features and trains\)/);
    } finally {
      empty.cleanup();
    }
  });

  it('rate-limits per address with a 429 JSON answer, RateLimit headers on every response and Retry-After on refusals', async () => {
    const limited = createApp({ ...ctx, rateLimitPerMinute: 3, requestLogs: false });
    const first = await request(limited).get('/healthz').expect(200);
    expect(first.headers).toMatchObject({ 'ratelimit-policy': '3;w=60', ratelimit: expect.stringMatching(/^limit=3, remaining=2, reset=(60|59)$/) });
    for (let i = 0; i < 2; i++) await request(limited).get('/healthz').expect(200);
    const refused = await request(limited).post('/predict/churn').send({ member_id: known }).expect(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', message: 'more than 3 requests per 60 s from this address', request_id: refused.headers['x-request-id'] });
    expect(refused.headers).toMatchObject({ 'retry-after': expect.stringMatching(/^(60|59)$/), ratelimit: expect.stringMatching(/^limit=3, remaining=0, /), 'x-content-type-options': 'nosniff' });
  });

  it('keys the rate limit by X-Forwarded-For only behind proxies it is told to trust', async () => {
    // header values only (documentation addresses): no traffic goes anywhere but 127.0.0.1
    const direct = createApp({ ...ctx, rateLimitPerMinute: 2, requestLogs: false });
    for (const ip of ['192.0.2.1', '192.0.2.2']) await request(direct).get('/healthz').set('x-forwarded-for', ip).expect(200);
    await request(direct).get('/healthz').set('x-forwarded-for', '192.0.2.3').expect(429); // one budget: the socket's address
    const proxied = createApp({ ...ctx, rateLimitPerMinute: 2, requestLogs: false, trustProxy: 'loopback' });
    for (const ip of ['192.0.2.1', '192.0.2.1', '192.0.2.2', '192.0.2.2']) await request(proxied).get('/healthz').set('x-forwarded-for', ip).expect(200);
    await request(proxied).get('/healthz').set('x-forwarded-for', '192.0.2.1').expect(429);
  });

  it('sends the security policy and request id on errors and unmatched routes too', async () => {
    for (const res of [await request(app).get('/no/such/route').expect(404), await request(app).post('/predict/churn').send({ member_id: '../etc' }).expect(400)]) {
      expect(res.headers).toMatchObject({ 'content-security-policy': "default-src 'none';frame-ancestors 'none'", 'x-frame-options': 'DENY', 'x-request-id': res.body.error.request_id });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('counts requests, predictions and feature freshness in /metrics, each once however often it is scraped', async () => {
    const metrics = new ApiMetrics();
    const counted = createApp({ ...ctx, metrics, rateLimitPerMinute: 0, requestLogs: false });
    for (let i = 0; i < 3; i++) await request(counted).post('/predict/churn').send({ member_id: known }).expect(200);
    await request(counted).post('/predict/churn').send({ member_ids: [known, 'M9999999'] }).expect(200);
    await request(counted).get(`/recommend/${known}`).expect(200);
    await request(counted).get(`/recommend/${coldStart}`).expect(200);
    await request(counted).get('/nowhere').expect(404);
    const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    for (let scrape = 0; scrape < 2; scrape++) {
      const text = (await request(counted).get('/metrics').expect(200)).text;
      expect(value(text, 'fitlake_predictions_total{model="churn",version="1"}')).toBe(4);
      expect(value(text, 'fitlake_predictions_total{model="recommender-classes",version="1"}')).toBe(2);
      expect(value(text, 'fitlake_recommendation_fallbacks_total{kind="classes"}')).toBe(1);
      expect(value(text, 'fitlake_feature_freshness_total{freshness="missing"}')).toBe(1);
      expect(value(text, 'fitlake_http_request_duration_seconds_count{route="/predict/churn",method="POST",status="200"}')).toBe(4);
      expect(value(text, 'fitlake_http_request_duration_seconds_bucket{le="+Inf",route="/recommend/:member",method="GET",status="200"}')).toBe(2);
      expect(value(text, 'fitlake_http_request_duration_seconds_count{route="unmatched",method="GET",status="404"}')).toBe(1);
    }
  });
});
