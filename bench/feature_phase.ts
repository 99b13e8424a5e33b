// The feature-store benchmark body, in its own process: our offline build, point-in-time retrieval,
// materialization and online reads (embedded and Redis), then Feast on the same tables and entity
// rows. Prints one JSON line. usage: feature_phase.ts LAKEHOUSE PYTHON
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type Config } from '../core/config';
import { Db } from '../pipelines/engine/duckdb/db';
import { sqlString } from '../pipelines/sql/quote';
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

async function main(): Promise<void> {
  const [root, python] = process.argv.slice(2);
  const base = loadConfig({ lakehouse: root }, {});
  const config: Config = { ...base, duckdb: { memoryLimit: '4GB' } };
  const store = FeatureStore.open(config, { logger: silentLogger });
  store.apply();
  let t = process.hrtime.bigint();
  const build = await store.build({ force: true });
  const buildSeconds = seconds(t);
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
    const tables = new TableStore(join(root, 'features', 'offline'));
    const spec = {
      workdir: root,
      entities,
      redis_port: redis.port,
      end: end.toISOString(),
      online_keys: keys.slice(0, 1000),
      views: registry.views.filter((v) => MEMBER_VIEWS.includes(v.name)).map((v) => ({ name: v.name, path: tables.currentFiles(v.name)![0], features: v.schema })),
    };
    await rstore.close();
    writeFileSync(join(root, 'feast_spec.json'), JSON.stringify(spec));
    const feast = spawnSync(python, [join(__dirname, 'peers', 'feast_bench.py'), join(root, 'feast_spec.json')], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
    if (feast.status !== 0) throw new Error(`feast peer failed (exit ${feast.status})`);
    const peer = JSON.parse(feast.stdout.trim().split('\n').at(-1)!);
    process.stdout.write(JSON.stringify({ entityRows: ENTITY_ROWS, features, build, buildSeconds, pitSeconds: pit, materializeEmbedded, materializeRedis, members: m.views[0].rows, embedded, redis: redisReads, feast: peer }) + '\n');
  } finally {
    await redis.stop();
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
