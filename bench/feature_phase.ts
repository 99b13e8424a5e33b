// The feature-store benchmark body, in its own process: our offline build, point-in-time retrieval,
// materialization and online reads (embedded and Redis), then Feast on the same rows (one Parquet file
// per view, its natural layout) and entity rows; then each held-back day is brought back, ingested and
// run through the pipeline, and the offline build after it timed. Prints one JSON line.
// usage: feature_phase.ts LAKEHOUSE PYTHON DAY,DAY
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../core/config';
import { Db } from '../pipelines/engine/duckdb/db';
import { sqlString, sqlStringList } from '../pipelines/sql/quote';
import { ingestBronze } from '../pipelines/bronze/ingest';
import { runMedallion } from '../pipelines/runner/medallion';
import type { FeatureView } from '../features/define';
import { bringBack } from './lake';
import { silentLogger } from '../core/logger';
import { createLakeViews } from '../pipelines/runner/reader';
import { TableStore } from '../pipelines/runner/table_store';
import { FeatureStore } from '../features/store';
import { startRedis } from '../tests/integration/redis_server';
import { percentile } from './stats';

const ENTITY_ROWS = 100_000;
const MEMBER_VIEWS = ['member_visits', 'member_retail', 'member_app', 'member_wearables', 'member_profile'];
const seconds = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

async function writeEntities(root: string, path: string): Promise<string[]> {
  const db = await Db.open({ threads: 1 });
  await createLakeViews(db, root);
  await db.run('SELECT setseed(0.42)');
  await db.run(`COPY (
    WITH m AS (SELECT member_id, row_number() OVER (ORDER BY member_id) - 1 AS i FROM member_ids),
    b AS (SELECT min(date) + 90 AS d0, max(date) - min(date) - 89 AS span FROM dim_date),
    r AS (SELECT floor(random() * (SELECT count(*) FROM m))::BIGINT AS i, floor(random() * (SELECT span FROM b))::INTEGER AS day, floor(random() * 24)::INTEGER AS hour FROM range(${ENTITY_ROWS}))
    SELECT m.member_id, timezone('America/New_York', ((SELECT d0 FROM b) + r.day)::TIMESTAMP) + to_hours(r.hour) AS event_timestamp
    FROM r JOIN m USING (i) ORDER BY event_timestamp, member_id
  ) TO ${sqlString(path)} (FORMAT parquet)`);
  const keys = (await db.all<{ member_id: string }>(`SELECT member_id FROM member_ids ORDER BY hash(member_id) LIMIT 20000`)).map((r) => r.member_id);
  db.close();
  return keys;
}

async function onlineLatencies(store: FeatureStore, keys: string[], reads: number, now: Date): Promise<{ p50: number; p99: number; reads: number }> {
  for (const k of keys.slice(0, 500)) await store.getOnlineFeatures({ service: 'churn' }, [k], { now });
  const lat: number[] = [];
  for (let i = 0; i < reads; i++) {
    const t = process.hrtime.bigint();
    await store.getOnlineFeatures({ service: 'churn' }, [keys[i % keys.length]], { now });
    lat.push(seconds(t) * 1000);
  }
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), reads };
}

/** Each view's rows (key, times, features) as a Parquet file of its own: the layout Feast reads a view from. */
async function perViewFiles(root: string, views: FeatureView[]): Promise<{ name: string; path: string; features: FeatureView['schema'] }[]> {
  const tables = new TableStore(join(root, 'features', 'offline'));
  const db = await Db.open({ memoryLimit: '4GB' });
  const out = [];
  for (const v of views) {
    const p = Object.values(tables.snapshot()).find((x) => String(x.properties?.views ?? '').split(',').includes(v.name))!;
    const path = join(root, `feast_${v.name}.parquet`);
    const cols = ['member_id', 'feature_ts', 'created_ts', ...v.schema.map((f) => f.name)].map((c) => `"${c}"`).join(', ');
    await db.run(`COPY (SELECT ${cols} FROM read_parquet(${sqlStringList(tables.files(p))})) TO ${sqlString(path)} (FORMAT parquet)`);
    out.push({ name: v.name, path, features: v.schema });
  }
  db.close();
  return out;
}

/** Brings each held-back day back, ingests it and runs the pipeline (untimed), then times the offline build. */
async function newDays(root: string, config: Config, days: string[]): Promise<{ day: string; seconds: number; spineSeconds: number; written: number; from?: string; actions: string[] }[]> {
  const out = [];
  for (const day of days) {
    bringBack(root, day);
    const db = await Db.open({ memoryLimit: '2GB' });
    await ingestBronze(root, { timezone: config.timezone, maxFilesPerBatch: 1000 }, { db, logger: silentLogger });
    db.close();
    await runMedallion(root, { timezone: config.timezone, fullRefresh: false, duckdb: config.duckdb }, { logger: silentLogger });
    const store = FeatureStore.open(config, { logger: silentLogger });
    const t = process.hrtime.bigint();
    const reports = await store.build();
    const secs = seconds(t);
    await store.close();
    const group = reports.find((r) => r.table === 'member_days')!;
    const spineSeconds = reports.filter((r) => r.table !== 'member_live').reduce((n, r) => n + r.seconds, 0);
    out.push({ day, seconds: secs, spineSeconds, written: reports.reduce((n, r) => n + r.written, 0), from: group.from, actions: reports.map((r) => `${r.table}: ${r.action} ${r.seconds.toFixed(1)} s`) });
  }
  return out;
}

async function main(): Promise<void> {
  const [root, python, held] = process.argv.slice(2);
  const base = loadConfig({ lakehouse: root }, {});
  const config: Config = { ...base, duckdb: { memoryLimit: '4GB' } };
  const store = FeatureStore.open(config, { logger: silentLogger });
  store.apply();
  let t = process.hrtime.bigint();
  const build = await store.build({ force: true });
  const buildSeconds = seconds(t);
  const group = build.find((b) => b.table === 'member_days')!;
  const entities = join(root, 'bench_entities.parquet');
  const keys = await writeEntities(root, entities);

  const pit: number[] = [];
  let features = 0;
  for (let i = 0; i < 3; i++) {
    t = process.hrtime.bigint();
    const h = await store.getHistoricalFeatures({ sql: `SELECT * FROM read_parquet(${sqlString(entities)})` }, { service: 'churn' });
    const n = await h.count();
    pit.push(seconds(t));
    features = h.columns.length - 2;
    if (n !== ENTITY_ROWS) throw new Error(`expected ${ENTITY_ROWS} rows, got ${n}`);
    await h.close();
  }
  t = process.hrtime.bigint();
  const m = await store.materialize({ views: MEMBER_VIEWS });
  const materializeEmbedded = seconds(t);
  const end = new Date(m.views[0].end);
  const embedded = await onlineLatencies(store, keys, 20_000, end);
  await store.close();

  const redis = await startRedis();
  try {
    const rconfig: Config = { ...config, features: { offline: { type: 'duckdb' }, online: { type: 'redis', host: '127.0.0.1', port: redis.port, keyPrefix: 'fitlake:' } } };
    const rstore = FeatureStore.open(rconfig, { logger: silentLogger });
    t = process.hrtime.bigint();
    await rstore.materialize({ views: MEMBER_VIEWS });
    const materializeRedis = seconds(t);
    const redisReads = await onlineLatencies(rstore, keys, 5_000, end);
    const registry = rstore.registry();
    const views = registry.views.filter((v) => MEMBER_VIEWS.includes(v.name));
    const spec = { workdir: root, entities, redis_port: redis.port, end: end.toISOString(), online_keys: keys.slice(0, 1000), views: await perViewFiles(root, views) };
    await rstore.close();
    writeFileSync(join(root, 'feast_spec.json'), JSON.stringify(spec));
    const feast = spawnSync(python, [join(__dirname, 'peers', 'feast_bench.py'), join(root, 'feast_spec.json')], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
    if (feast.status !== 0) throw new Error(`feast peer failed (exit ${feast.status})`);
    const peer = JSON.parse(feast.stdout.trim().split('\n').at(-1)!);
    const dayBuilds = await newDays(root, config, held.split(','));
    const result = { entityRows: ENTITY_ROWS, features, build, buildSeconds, tables: build.length, groupSeconds: group.seconds, groupRows: group.rows, pitSeconds: pit, materializeEmbedded, materializeRedis, members: m.views[0].rows, embedded, redis: redisReads, feast: peer, dayBuilds };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await redis.stop();
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
