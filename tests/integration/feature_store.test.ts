import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { loadConfig } from '../../core/config';
import { SkewError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { assertNoSkew, checkSkew } from '../../features/skew';
import { FeatureStore } from '../../features/store';
import { churnEntitySql, churnTrainingSet } from '../../features/training_sets';
import { RedisOnlineStore } from '../../features/online/redis_online_store';
import { fixtureCopy } from '../fixtures/cache';
import { offlineTable, onlineView, queryLake, tmpLake, TZ } from '../helpers';
import { runCli } from './cli_runner';
import { startRedis } from './redis_server';

// after the fixture's clock (tests/fixtures/lakes.ts), so materialization ids never collide with its
let clock = Date.parse('2026-01-02T00:00:00Z');
const now = () => new Date((clock += 1000));

const query = queryLake;

function readTruth(root: string): Map<string, number> {
  const lines = readFileSync(join(root, '_truth', 'churn_monthly.csv'), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((l) => l.split(',')).map((c) => [`${c[0]}|${c[1]}`, Number(c[3])]));
}

describe('feature store over a generated lakehouse (300 members, 150 days)', () => {
  const lake = fixtureCopy('features');
  const config = { ...loadConfig({ lakehouse: lake.root, timezone: TZ }, {}), features: { offline: { type: 'duckdb' as const }, online: { type: 'embedded' as const } } };
  const store = FeatureStore.open(config, { logger: silentLogger, now });
  afterAll(async () => {
    await store.close();
    lake.cleanup();
  });

  it('keeps its offline tables when the lakehouse is copied or moved (nothing to rebuild)', async () => {
    const reports = await store.build();
    expect(reports.map((r) => `${r.action} ${r.table}: ${r.views.join(',')}`).sort()).toEqual([
      'skipped class_type_days: class_type_demand',
      'skipped member_class_attendance: member_class_attendance',
      'skipped member_days: member_visits,member_retail,member_app,member_wearables,member_activity_mix,member_profile',
      'skipped member_live: member_live',
      'skipped member_purchases: member_purchases',
      'skipped product_daily_sales: product_daily_sales',
      'skipped product_days: product_sales',
    ]);
  });

  it('labels every member active at each monthly snapshot exactly as the generator truth', async () => {
    const set = await churnTrainingSet(store, { minHistoryDays: 30 });
    const rows = await set.rows();
    await set.close();
    const truth = readTruth(lake.root);
    const snapshots = [...new Set(rows.map((r) => (r.snapshot_date as Date).toISOString().slice(0, 10)))];
    expect(snapshots).toEqual(['2025-02-01', '2025-03-01', '2025-04-01']);
    for (const s of snapshots) {
      const inTruth = [...truth.keys()].filter((k) => k.endsWith(`|${s}`));
      expect(rows.filter((r) => (r.snapshot_date as Date).toISOString().startsWith(s)).length).toBe(inTruth.length);
    }
    const disagreements = rows.filter((r) => truth.get(`${r.member_id}|${(r.snapshot_date as Date).toISOString().slice(0, 10)}`) !== r.label);
    expect(disagreements).toEqual([]);
    expect(rows.filter((r) => r.label === 1).length).toBeGreaterThan(5);
    expect(rows.every((r) => r.visits_30d !== null && r.plan !== null)).toBe(true);
  });

  it('computes window features only from events before the snapshot that had arrived by then, each app session once', async () => {
    const set = await churnTrainingSet(store, { minHistoryDays: 30 });
    const rows = await set.rows();
    await set.close();
    const expected = await query<{ member_id: string; s: string; visits: number; visits_any_arrival: number; spend: number; sessions_7d: number; sessions_30d: number; split_sessions: number }>(
      lake.root,
      `WITH t AS (${churnEntitySql({ minHistoryDays: 30 })}),
      known AS (
        SELECT member_id, checkin_date AS d, greatest(checkin_date, regexp_extract(_source_file, '(\\d{4}-\\d{2}-\\d{2})', 1)::DATE) + 1 AS avail FROM class_checkins
        UNION ALL SELECT member_id, usage_date, greatest(usage_date, regexp_extract(_source_file, '(\\d{4}-\\d{2}-\\d{2})', 1)::DATE) + 1 FROM facility_usage
        UNION ALL SELECT member_id, usage_date, greatest(usage_date, regexp_extract(_source_file, '(\\d{4}-\\d{2}-\\d{2})', 1)::DATE) + 1 FROM equipment_usage
      ),
      sessions AS (
        SELECT member_id, app_session_id, min(event_date) AS d, count(DISTINCT _source_file) AS files,
          min(greatest(event_date, regexp_extract(_source_file, '(\\d{4}-\\d{2}-\\d{2})', 1)::DATE) + 1) AS avail
        FROM app_events WHERE app_session_id IS NOT NULL GROUP BY member_id, app_session_id
      )
      SELECT t.member_id, t.snapshot_date::VARCHAR AS s,
        (SELECT count(DISTINCT d) FROM known k WHERE k.member_id = t.member_id AND k.d >= t.snapshot_date - 30 AND k.d < t.snapshot_date AND k.avail <= t.snapshot_date) AS visits,
        (SELECT count(DISTINCT d) FROM known k WHERE k.member_id = t.member_id AND k.d >= t.snapshot_date - 30 AND k.d < t.snapshot_date) AS visits_any_arrival,
        (SELECT coalesce(sum(amount), 0)::DOUBLE FROM retail_sales r WHERE r.member_id = t.member_id AND r.sale_date >= t.snapshot_date - 30 AND r.sale_date < t.snapshot_date
           AND greatest(r.sale_date, regexp_extract(r._source_file, '(\\d{4}-\\d{2}-\\d{2})', 1)::DATE) + 1 <= t.snapshot_date) AS spend,
        (SELECT count(*) FROM sessions a WHERE a.member_id = t.member_id AND a.d >= t.snapshot_date - 7 AND a.d < t.snapshot_date AND a.avail <= t.snapshot_date) AS sessions_7d,
        (SELECT count(*) FROM sessions a WHERE a.member_id = t.member_id AND a.d >= t.snapshot_date - 30 AND a.d < t.snapshot_date AND a.avail <= t.snapshot_date) AS sessions_30d,
        (SELECT count(*) FROM sessions a WHERE a.member_id = t.member_id AND a.d >= t.snapshot_date - 30 AND a.d < t.snapshot_date AND a.files > 1) AS split_sessions
      FROM t`,
    );
    const byKey = new Map(expected.map((e) => [`${e.member_id}|${e.s}`, e]));
    let lateMatters = 0;
    let splitSessions = 0;
    for (const r of rows) {
      const e = byKey.get(`${r.member_id}|${(r.snapshot_date as Date).toISOString().slice(0, 10)}`)!;
      expect([r.member_id, r.visits_30d]).toEqual([e.member_id, e.visits]);
      expect(r.retail_spend_30d as number).toBeCloseTo(e.spend, 6);
      // An app session whose events arrived in two landing files counts once.
      expect([r.member_id, r.app_sessions_7d, r.app_sessions_30d]).toEqual([e.member_id, e.sessions_7d, e.sessions_30d]);
      if (e.visits_any_arrival !== e.visits) lateMatters++;
      splitSessions += e.split_sessions;
    }
    expect(splitSessions).toBeGreaterThan(0);
    // Late-arriving records exist in these windows, and the features left them out until they arrived.
    expect(lateMatters).toBeGreaterThan(0);
  });

  it('answers arbitrary entity times exactly like a plain range join (daily-grid fast path)', async () => {
    expect(offlineTable(lake.root, 'member_visits').properties.daily_grid_zone).toBe(TZ);
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      member_id: `M${String(1 + ((i * 7919) % 420)).padStart(7, '0')}`,
      event_timestamp: new Date(Date.parse('2025-01-01T00:00:00Z') + ((i * 104_729_993) % (155 * 86_400_000))).toISOString(),
    }));
    const h = await store.getHistoricalFeatures({ rows }, { features: ['member_visits:visits_30d', 'member_profile:plan'] });
    const got = await h.rows();
    await h.close();
    const file = (v: string) => offlineTable(lake.root, v).files.join("', '");
    const values = rows.map((r, i) => `(${i}, '${r.member_id}', TIMESTAMPTZ '${r.event_timestamp}')`).join(', ');
    const expected = await query<{ i: number; visits_30d: number | null; plan: string | null }>(
      lake.root,
      `WITH e AS (SELECT * FROM (VALUES ${values}) t(i, member_id, ts)),
      v AS (SELECT e.i, arg_max(n.visits_30d, n.feature_ts) AS visits_30d FROM e LEFT JOIN read_parquet(['${file('member_visits')}']) n
        ON n.member_id = e.member_id AND n.feature_ts <= e.ts AND n.feature_ts >= e.ts - INTERVAL 2 DAY GROUP BY e.i),
      p AS (SELECT e.i, arg_max(n.plan, n.feature_ts) AS plan FROM e LEFT JOIN read_parquet(['${file('member_profile')}']) n
        ON n.member_id = e.member_id AND n.feature_ts <= e.ts AND n.feature_ts >= e.ts - INTERVAL 2 DAY GROUP BY e.i)
      SELECT i, visits_30d, plan FROM v JOIN p USING (i) ORDER BY i`,
    );
    expect(got.map((r) => [r.visits_30d, r.plan])).toEqual(expected.map((r) => [r.visits_30d, r.plan]));
    const found = expected.filter((r) => r.plan !== null).length;
    expect(found).toBeGreaterThan(2000);
    expect(found).toBeLessThan(3000);
  });

  it('serves the materialized values online and passes the skew check; a tampered value fails it', async () => {
    const report = await checkSkew(store, { sample: 100 });
    expect(report.passed).toBe(true);
    expect(report.views.find((v) => v.view === 'member_visits')!.checked).toBe(100);
    const raw = onlineView(lake.root, 'member_visits');
    const victim = raw.keys()[0];
    const original = raw.get(victim)!;
    const changed = [...original];
    (changed[2 + raw.names.indexOf('visits_30d')] as number) += 1;
    raw.put(victim, changed);
    const tampered = FeatureStore.open(config, { logger: silentLogger, now });
    const bad = await checkSkew(tampered, { sample: 1000, views: ['member_visits'] });
    await tampered.close();
    const cli = runCli(['features', 'check-skew', '--sample', '1000', '--views', 'member_visits'], { FITLAKE_LAKEHOUSE: lake.root, FITLAKE_TIMEZONE: TZ });
    raw.put(victim, original);
    await raw.close();
    expect(cli.status).toBe(7);
    expect(cli.stdout).toMatch(/SKEW member_visits: \d+ of \d+ entities online since .* checked at .*: 1 differing value\(s\), 0 missing/);
    expect(cli.stderr).toContain(`training/serving skew: 1 differing value(s), 0 entity(ies) missing online\n  member_visits:visits_30d for ${victim}`);
    expect(bad.mismatches).toEqual([expect.objectContaining({ view: 'member_visits', key: victim, feature: 'visits_30d' })]);
    expect(() => assertNoSkew(bad)).toThrow(SkewError);
  });

  it('after a first incremental materialization (as npm run train does), checks the members it wrote, not former ones', async () => {
    const copy = tmpLake();
    try {
      cpSync(lake.root, copy.root, { recursive: true, filter: (src) => !/features\/(online|materializations|stats)/.test(src) });
      const fresh = FeatureStore.open({ ...config, lakehouse: copy.root }, { logger: silentLogger, now });
      await fresh.materialize({ incremental: true });
      const report = await checkSkew(fresh, { sample: 5000 });
      const visits = report.views.find((v) => v.view === 'member_visits')!;
      const everyone = await fresh.offline.latest(fresh.registry().views.find((v) => v.name === 'member_visits')!, 'member_id', new Date(0), new Date(visits.end));
      await fresh.close();
      expect(report).toMatchObject({ passed: true, mismatches: [], missing: [] });
      expect(visits.checked).toBe(visits.expected);
      expect(visits.expected).toBeLessThan(everyone.rows.length);
      const raw = onlineView(copy.root, 'member_visits');
      const gone = raw.keys()[0];
      raw.remove(gone);
      await raw.close();
      const cli = runCli(['features', 'check-skew', '--views', 'member_visits'], { FITLAKE_LAKEHOUSE: copy.root, FITLAKE_TIMEZONE: TZ });
      expect(cli.status).toBe(7);
      expect(cli.stdout).toMatch(/SKEW member_visits: .*: 0 differing value\(s\), 1 missing/);
      expect(cli.stderr).toContain(`member_visits: ${gone} has a value in the materialized window but is not in the online store`);
    } finally {
      copy.cleanup();
    }
  });

  it('records each materialization with statistics, and starts incremental runs at the last end', async () => {
    const first = store.log.list()[0];
    const m = await store.materialize({ incremental: true });
    const visits = m.views.find((v) => v.view === 'member_visits')!;
    expect(visits.start).toBe(first.views[0].end);
    expect(visits.online_keys).toBe(first.views[0].online_keys);
    const stats = store.log.statistics(first.id)!.views.member_visits;
    const v30 = stats.find((s) => s.feature === 'visits_30d')!;
    const raw = onlineView(lake.root, 'member_visits');
    const values = raw.keys().map((k) => raw.get(k)![2 + raw.names.indexOf('visits_30d')] as number);
    await raw.close();
    expect(v30.rows).toBe(values.length);
    expect(v30.mean as number).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    expect(v30.nulls).toBe(0);
    expect(stats.find((s) => s.feature === 'engagement_segment')!.top).toEqual(expect.arrayContaining([expect.objectContaining({ value: 'dormant' })]));
  });

  it('the same checks pass against a real Redis, and catch a value changed there', async () => {
    const redis = await startRedis();
    try {
      const online = new RedisOnlineStore({ host: '127.0.0.1', port: redis.port, keyPrefix: 'fs:' });
      const rstore = FeatureStore.open({ ...config, features: { offline: { type: 'duckdb' }, online: { type: 'redis', host: '127.0.0.1', port: redis.port, keyPrefix: 'fs:' } } }, { logger: silentLogger, now }, { online });
      await rstore.materialize({ views: ['member_visits', 'member_profile'] });
      expect((await checkSkew(rstore, { sample: 50, views: ['member_visits', 'member_profile'] })).passed).toBe(true);
      const emb = await store.getOnlineFeatures({ features: ['member_profile:plan', 'member_visits:visits_30d'] }, ['M0000001', 'M0000002'], { now: new Date('2025-05-31T12:00:00Z') });
      const red = await rstore.getOnlineFeatures({ features: ['member_profile:plan', 'member_visits:visits_30d'] }, ['M0000001', 'M0000002'], { now: new Date('2025-05-31T12:00:00Z') });
      expect(red).toEqual(emb);
      const client = new Redis({ host: '127.0.0.1', port: redis.port });
      await client.hset('fs:member:M0000002', 'member_profile:plan', JSON.stringify('platinum'));
      await client.quit();
      const bad = await checkSkew(rstore, { sample: 1000, views: ['member_profile'] });
      expect(bad.mismatches).toEqual([{ view: 'member_profile', key: 'M0000002', feature: 'plan', online: 'platinum', offline: expect.any(String) }]);
      await rstore.close();
    } finally {
      await redis.stop();
    }
  });

  it('CLI: list, describe, get-online, check-skew, bad refs', () => {
    const env = { FITLAKE_LAKEHOUSE: lake.root, FITLAKE_TIMEZONE: TZ };
    const list = runCli(['features', 'list', '--json'], env);
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout).views.map((v: { name: string }) => v.name)).toContain('member_visits');
    const skew = runCli(['features', 'check-skew', '--sample', '20'], env);
    expect(skew.status).toBe(0);
    expect(skew.stdout).toContain('ok   member_visits: 20 of ');
    const bad = runCli(['features', 'get-online', '--keys', 'M0000001', '--features', 'member_visits:nope'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown feature ref "member_visits:nope"');
    const svc = runCli(['features', 'get-online', '--keys', 'M0000001', '--service', 'nope'], env);
    expect(svc.status).toBe(3);
    expect(svc.stderr).toContain('unknown feature service "nope"');
    const got = runCli(['features', 'get-online', '--keys', 'M0000001,M9999999', '--features', 'member_profile:plan', '--now', '2025-05-31T12:00:00Z'], env);
    expect(JSON.parse(got.stdout).results[1].statuses).toEqual(['PRESENT', 'NOT_FOUND']);
    // without --now, the API's clock (the data's: the last materialization) judges freshness, as `serve` does
    const dataClock = runCli(['features', 'get-online', '--keys', 'M0000001', '--features', 'member_profile:plan'], env);
    expect(JSON.parse(dataClock.stdout).results[1]).toMatchObject({ statuses: ['PRESENT'], values: [expect.any(String)] });
    const redisDown = runCli(['features', 'get-online', '--keys', 'M0000001', '--features', 'member_profile:plan'], { ...env, FITLAKE_ONLINE_STORE: 'redis', FITLAKE_REDIS_PORT: '1' });
    expect(redisDown.status).toBe(10);
    expect(redisDown.stderr).toMatch(/^fitlake: cannot reach the Redis online store at 127\.0\.0\.1:1 \(connect ECONNREFUSED 127\.0\.0\.1:1\): start redis-server, or set FITLAKE_REDIS_HOST \/ FITLAKE_REDIS_PORT\n$/);
    const nowhere = runCli(['features', 'list'], { ...env, FITLAKE_LAKEHOUSE: join(lake.root, 'nope') });
    expect([nowhere.status, nowhere.stderr]).toEqual([2, `fitlake: lakehouse ${join(lake.root, 'nope')} does not exist: create one with \`npm run train\` (it generates a synthetic gym when there is no data), or point --lakehouse / FITLAKE_LAKEHOUSE at an existing one\n`]);
    const help = runCli(['features', 'materialize', '--help'], env);
    expect(help.stdout).toContain('--start <time>');
    const badTime = runCli(['features', 'materialize', '--end', 'tomorrow'], env);
    expect(badTime.status).toBe(2);
    expect(badTime.stderr).toContain('--end must be an ISO date');
    const backwards = runCli(['features', 'materialize', '--start', '2025-05-01', '--end', '2025-04-01'], env);
    expect([backwards.status, backwards.stderr]).toEqual([2, expect.stringContaining('start 2025-05-01T00:00:00.000Z is after end 2025-04-01T00:00:00.000Z')]);
  });

  it('names the view and the step when a training set reads a table that was never built', async () => {
    const tiny = fixtureCopy('tiny');
    const fresh = FeatureStore.open({ ...loadConfig({ lakehouse: tiny.root, timezone: TZ }, {}), features: { offline: { type: 'duckdb' }, online: { type: 'embedded' } } }, { logger: silentLogger });
    try {
      fresh.apply();
      const err = await fresh.getHistoricalFeatures({ rows: [{ member_id: 'M0000001', event_timestamp: '2025-02-01T00:00:00Z' }] }, { features: ['member_visits:visits_7d'] }).catch((e: unknown) => e);
      expect(err).toMatchObject({ field: 'features', message: 'feature view member_visits has no offline table yet: run `fitlake features materialize` (or `features build`)' });
    } finally {
      await fresh.close();
      tiny.cleanup();
    }
  });

  it('CLI on an empty lakehouse says which step is missing', () => {
    const empty = tmpLake();
    try {
      const env = { FITLAKE_LAKEHOUSE: empty.root };
      const list = runCli(['features', 'list'], env);
      expect([list.status, list.stderr]).toEqual([2, expect.stringContaining('or `fitlake features apply` first')]);
      expect(runCli(['features', 'apply'], env).stdout).toMatch(/registry version 1 applied: 3 entities, 12 feature views, 6 services/);
      expect(runCli(['features', 'apply'], env).stdout).toContain('registry version 1 unchanged');
      const mat = runCli(['features', 'materialize'], env);
      expect([mat.status, mat.stderr]).toEqual([2, expect.stringContaining('run `fitlake pipeline run` first')]);
      const views = runCli(['features', 'materialize', '--views', 'member_visits,nope'], env);
      expect([views.status, views.stderr]).toEqual([2, expect.stringContaining('unknown feature view "nope"')]);
      const set = runCli(['features', 'training-set', 'upsell', '--out', join(empty.root, 'x.parquet')], env);
      expect([set.status, set.stderr]).toEqual([2, expect.stringContaining('unknown training set "upsell" (known: churn)')]);
    } finally {
      empty.cleanup();
    }
  });
});
