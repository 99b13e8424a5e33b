import { spawn } from 'node:child_process';
import { open } from 'lmdb';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMBEDDED_FILE, EmbeddedOnlineStore } from '../../features/online/embedded_online_store';
import { getOnlineFeatures, type OnlineStore } from '../../features/online/online_store';
import { RedisOnlineStore } from '../../features/online/redis_online_store';
import { DEFINITIONS } from '../../features/definitions';
import { resolveFeatures } from '../../features/refs';
import { tmpLake } from '../helpers';
import { startRedis } from './redis_server';

const DAY = 86_400_000;
const T0 = Date.parse('2025-06-01T04:00:00Z');
const row = (key: string, ts: number, values: unknown[]) => ({ key, featureTs: new Date(ts), createdTs: new Date(ts), values });
const NAMES = ['plan', 'billing_cycle', 'price', 'tenure_days', 'plan_downgrades', 'plan_upgrades', 'age_years', 'home_club'];
const profile = resolveFeatures(DEFINITIONS, { features: ['member_profile'] });

interface Backend {
  name: string;
  open: () => Promise<OnlineStore>;
  teardown: () => Promise<void>;
}

const lake = tmpLake();
let redis: Awaited<ReturnType<typeof startRedis>>;
let prefixSeq = 0;
const backends: Backend[] = [
  { name: 'embedded', open: async () => new EmbeddedOnlineStore(join(lake.root, `store${++prefixSeq}`)), teardown: async () => lake.cleanup() },
  {
    name: 'redis',
    open: async () => {
      redis ??= await startRedis();
      return new RedisOnlineStore({ host: '127.0.0.1', port: redis.port, keyPrefix: `t${++prefixSeq}:` });
    },
    teardown: async () => redis?.stop(),
  },
];

describe.each(backends)('online store contract: $name', (backend) => {
  let store: OnlineStore;
  beforeEach(async () => {
    store = await backend.open();
    await store.write('member_profile', 'member', NAMES, [row('M1', T0, ['plus', 'monthly', 49.99, 100, 0, 1, 30, 'C01']), row('M2', T0 - 5 * DAY, ['basic', 'annual', 299, 10, 1, 0, null, 'C02'])]);
  });
  afterEach(() => store.close());
  afterAll(() => backend.teardown());

  it('reads back exactly what was written, null for unknown keys', async () => {
    const [[m1, missing, m2]] = await store.read('member', [{ view: 'member_profile', names: NAMES }], ['M1', 'M404', 'M2']);
    expect(missing).toBeNull();
    expect(m1).toEqual({ featureTs: T0, createdTs: T0, values: { plan: 'plus', billing_cycle: 'monthly', price: 49.99, tenure_days: 100, plan_downgrades: 0, plan_upgrades: 1, age_years: 30, home_club: 'C01' } });
    expect(m2!.values.age_years).toBeNull();
    expect(await store.count('member_profile', 'member')).toBe(2);
  });

  it('reads several views of an entity in one call, each with its own timestamp', async () => {
    await store.write('other', 'member', ['a', 'b'], [row('M2', T0 + DAY, [1, 'x'])]);
    const [profileRows, otherRows] = await store.read('member', [{ view: 'member_profile', names: ['plan'] }, { view: 'other', names: ['b', 'a'] }], ['M1', 'M2']);
    expect(profileRows.map((r) => r?.values.plan)).toEqual(['plus', 'basic']);
    expect(otherRows[0]).toBeNull();
    expect(otherRows[1]).toEqual({ featureTs: T0 + DAY, createdTs: T0 + DAY, values: { b: 'x', a: 1 } });
  });

  it('never lets an older row overwrite a newer one, and lets a newer one in', async () => {
    const written = await store.write('member_profile', 'member', NAMES, [row('M1', T0 - DAY, ['elite', 'monthly', 89.99, 99, 0, 2, 30, 'C01']), row('M2', T0, ['student', 'monthly', 19.99, 15, 1, 0, 22, 'C02'])]);
    expect(written).toBe(1);
    const [[m1, m2]] = await store.read('member', [{ view: 'member_profile', names: NAMES }], ['M1', 'M2']);
    expect(m1!.values.plan).toBe('plus');
    expect(m2!.values.plan).toBe('student');
  });

  it('applies the TTL on read: PRESENT, NULL_VALUE, OUTSIDE_MAX_AGE, NOT_FOUND', async () => {
    const r = await getOnlineFeatures(store, profile, ['M1', 'M2', 'M404'], new Date(T0 + 36 * 3_600_000));
    const col = (name: string) => r.results[r.metadata.feature_names.indexOf(name)];
    expect(r.metadata.feature_names[0]).toBe('member_id');
    expect(col('member_id').values).toEqual(['M1', 'M2', 'M404']);
    expect(col('plan').values).toEqual(['plus', null, null]);
    expect(col('plan').statuses).toEqual(['PRESENT', 'OUTSIDE_MAX_AGE', 'NOT_FOUND']);
    expect(col('plan').event_timestamps).toEqual([new Date(T0).toISOString(), new Date(T0 - 5 * DAY).toISOString(), null]);
    const later = await getOnlineFeatures(store, profile, ['M1'], new Date(T0 + 3 * DAY));
    expect(later.results[1].statuses).toEqual(['OUTSIDE_MAX_AGE']);
    await store.write('member_profile', 'member', NAMES, [row('M3', T0, ['plus', 'monthly', 49.99, 100, 0, 1, null, 'C01'])]);
    const nulls = await getOnlineFeatures(store, profile, ['M3'], new Date(T0));
    expect(nulls.results[nulls.metadata.feature_names.indexOf('age_years')].statuses).toEqual(['NULL_VALUE']);
  });
});

describe('embedded online store (LMDB) across processes', () => {
  const root = tmpLake();
  afterAll(() => root.cleanup());
  const writer = (dir: string, code: string, env: NodeJS.ProcessEnv = {}) =>
    spawn(process.execPath, ['--import', 'tsx', '-e', `const { EmbeddedOnlineStore } = require(${JSON.stringify(join(__dirname, '../../features/online/embedded_online_store.ts'))}); const s = new EmbeddedOnlineStore(${JSON.stringify(dir)}); (async () => { ${code} })();`], { env: { ...process.env, ...env }, stdio: 'ignore' });
  const exited = (p: ReturnType<typeof spawn>) => new Promise<number | string>((resolve) => p.on('exit', (code, signal) => resolve(code ?? String(signal))));
  const keys = Array.from({ length: 2000 }, (_, i) => `M${String(i).padStart(7, '0')}`);

  it('a writer killed mid-transaction leaves the previous values, whole', async () => {
    const dir = join(root.root, 'crash');
    const store = new EmbeddedOnlineStore(dir);
    await store.write('v', 'member', ['n'], keys.map((k) => row(k, T0, [1])));
    await store.close();
    const code = `const keys = Array.from({ length: ${keys.length} }, (_, i) => 'M' + String(i).padStart(7, '0'));
      await s.write('v', 'member', ['n'], keys.map((key) => ({ key, featureTs: new Date(${T0 + DAY}), createdTs: new Date(${T0 + DAY}), values: [2] })));`;
    expect(await exited(writer(dir, code, { FITLAKE_FAULT: 'online.mid_write' }))).toBe('SIGKILL');
    const after = new EmbeddedOnlineStore(dir);
    const [got] = await after.read('member', [{ view: 'v', names: ['n'] }], keys);
    expect(new Set(got.map((r) => r?.values.n))).toEqual(new Set([1]));
    expect(await after.count('v')).toBe(keys.length);
    await after.close();
  });

  it('a reader in another process sees each write whole: every read one generation, newer ones as they commit', async () => {
    const dir = join(root.root, 'snapshots');
    const reader = new EmbeddedOnlineStore(dir);
    await reader.write('v', 'member', ['gen'], keys.map((k) => row(k, T0, [0])));
    const code = `const keys = Array.from({ length: ${keys.length} }, (_, i) => 'M' + String(i).padStart(7, '0'));
      for (let g = 1; g <= 30; g++) await s.write('v', 'member', ['gen'], keys.map((key) => ({ key, featureTs: new Date(${T0} + g), createdTs: new Date(${T0} + g), values: [g] })));
      await s.close();`;
    const done = exited(writer(dir, code));
    const seen = new Set<number>();
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      const [got] = await reader.read('member', [{ view: 'v', names: ['gen'] }], keys);
      const gens = new Set(got.map((r) => r!.values.gen as number));
      expect(gens.size).toBe(1);
      seen.add([...gens][0]);
      await new Promise((r) => setImmediate(r));
    }
    expect(await done).toBe(0);
    const [last] = await reader.read('member', [{ view: 'v', names: ['gen'] }], keys.slice(0, 1));
    expect(last[0]!.values.gen).toBe(30);
    expect(seen.size).toBeGreaterThan(1);
    await reader.close();
  });

  it('reads a view never written as absent without creating it (no write lock taken by a reader)', async () => {
    const store = new EmbeddedOnlineStore(join(root.root, 'unwritten'));
    await store.write('v', 'member', ['n'], [row('M1', T0, [1])]);
    expect(await store.read('member', [{ view: 'other', names: ['n'] }, { view: 'v', names: ['n'] }], ['M1'])).toEqual([[null], [{ featureTs: T0, createdTs: T0, values: { n: 1 } }]]);
    expect(await store.count('other')).toBe(0);
    await store.close();
    const raw = open({ path: join(root.root, 'unwritten', EMBEDDED_FILE), maxDbs: 256 });
    expect([...raw.openDB('_views', { encoding: 'msgpack' }).getKeys()]).toEqual(['v']);
    expect([...raw.getKeys()].map(String).sort()).toEqual(['_views', 'view:v']);
    await raw.close();
  });

  it('refuses a file that is not an LMDB environment, naming it, and carries a JSON store over once', async () => {
    const bad = join(root.root, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, EMBEDDED_FILE), 'M0000001 not a database');
    await expect(new EmbeddedOnlineStore(bad).count('v')).rejects.toThrow(`online store file ${join(bad, EMBEDDED_FILE)} cannot be opened: it is not an LMDB environment (no meta page)`);
    // a real environment cut after its first page, one whose page size was overwritten, a folder in its place
    const good = new EmbeddedOnlineStore(join(root.root, 'good'));
    await good.write('v', 'member', ['n'], [row('M1', T0, [1])]);
    await good.close();
    const bytes = readFileSync(join(root.root, 'good', EMBEDDED_FILE));
    const opening = (name: string, content: Buffer | null) => {
      const dir = join(root.root, name);
      mkdirSync(content ? dir : join(dir, EMBEDDED_FILE), { recursive: true });
      if (content) writeFileSync(join(dir, EMBEDDED_FILE), content);
      return new EmbeddedOnlineStore(dir).count('v');
    };
    await expect(opening('cut', bytes.subarray(0, 4096))).rejects.toThrow(/embedded\.mdb cannot be opened: it is truncated or torn \(the second meta page is missing\); move it aside/);
    const odd = Buffer.from(bytes);
    odd.writeUInt32LE(3000, 48);
    await expect(opening('odd', odd)).rejects.toThrow(/embedded\.mdb cannot be opened: its page size 3000 is not valid/);
    await expect(opening('folder', null)).rejects.toThrow(/embedded\.mdb cannot be opened: it cannot be read \(EISDIR\)/);
    const legacy = join(root.root, 'legacy');
    mkdirSync(legacy, { recursive: true });
    writeFileSync(join(legacy, 'member_profile.json'), JSON.stringify({ view: 'member_profile', entity: 'member', names: ['plan'], rows: { M1: [T0, T0, 'plus'] } }));
    const store = new EmbeddedOnlineStore(legacy);
    expect(await store.read('member', [{ view: 'member_profile', names: ['plan'] }], ['M1', 'M2'])).toEqual([[{ featureTs: T0, createdTs: T0, values: { plan: 'plus' } }, null]]);
    expect(existsSync(join(legacy, 'member_profile.json'))).toBe(false);
    await store.close();
  });
});
