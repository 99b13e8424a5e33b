import { loadConfig } from '../../core/config';
import { silentLogger } from '../../core/logger';
import { Db } from '../../pipelines/engine/duckdb/db';
import { sqlStringList } from '../../pipelines/sql/quote';
import { FeatureStore } from '../../features/store';
import { churnTrainingSet } from '../../features/training_sets';
import { DEFINITIONS } from '../../features/definitions';
import { sourceFileSql } from '../../features/offline/source_sql';
import { spineGroupSql, viewSql } from '../../features/offline/group_sql';
import { planGroups } from '../../features/offline/groups';
import { openEngine } from '../../pipelines/engine/create';
import { registerLakeTables } from '../../pipelines/runner/reader';
import { fixtureCopy } from '../fixtures/cache';
import { offlineTable, TZ } from '../helpers';

let clock = Date.parse('2026-01-03T00:00:00Z');
const now = () => new Date((clock += 1000));

/** Each view's rows (its key, times and features) in the table holding it, and that table's file count. */
async function contents(root: string, views: string[]): Promise<Map<string, { files: number; rows: string[] }>> {
  const db = await Db.open({ threads: 1 });
  try {
    const out = new Map<string, { files: number; rows: string[] }>();
    for (const v of views) {
      const view = DEFINITIONS.views.find((x) => x.name === v)!;
      const key = DEFINITIONS.entities.find((e) => e.name === view.entities[0])!.joinKey;
      const { files } = offlineTable(root, v);
      const cols = [key, 'feature_ts', 'created_ts', ...view.schema.map((f) => f.name)].map((c) => `"${c}"`).join(', ');
      const rows = await db.all(`SELECT ${cols} FROM read_parquet(${sqlStringList(files)}) ORDER BY ALL`);
      out.set(v, { files: files.length, rows: rows.map((r) => JSON.stringify(r, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x))) });
    }
    return out;
  } finally {
    db.close();
  }
}

describe('offline feature tables built a bucket of keys at a time', () => {
  const lake = fixtureCopy('features');
  const base = loadConfig({ lakehouse: lake.root, timezone: TZ }, {});
  const open = (rowsPerBucket?: number) =>
    FeatureStore.open({ ...base, features: { offline: { type: 'duckdb', ...(rowsPerBucket ? { rowsPerBucket } : {}) }, online: { type: 'embedded' } } }, { logger: silentLogger, now });
  afterAll(() => lake.cleanup());

  it('hold exactly the rows of a single-file build, and give the same training set', async () => {
    const whole = open();
    const views = whole.registry().views.map((v) => v.name);
    const before = await contents(lake.root, views);
    const set = await churnTrainingSet(whole, { minHistoryDays: 30 });
    const trainingBefore = await set.rows();
    await set.close();
    await whole.close();

    const bucketed = open(5000);
    const reports = await bucketed.build({ force: true });
    expect(reports.every((r) => r.action === 'built')).toBe(true);
    const after = await contents(lake.root, views);
    for (const v of views) {
      expect(after.get(v)!.rows.length).toBe(before.get(v)!.rows.length);
      expect(after.get(v)!.rows).toEqual(before.get(v)!.rows);
    }
    // member views share the member_days table (300 members × 150 days): one file per month, and in buckets several per month
    expect(before.get('member_visits')!.files).toBe(5);
    expect(after.get('member_visits')!.files).toBeGreaterThan(12);
    expect(offlineTable(lake.root, 'member_profile').files).toEqual(offlineTable(lake.root, 'member_visits').files);
    const again = await churnTrainingSet(bucketed, { minHistoryDays: 30 });
    expect(await again.rows()).toEqual(trainingBefore);
    await again.close();
    await bucketed.close();
  });

  it('refuses a bucket size below 100 rows, naming the setting', () => {
    expect(() => loadConfig({ lakehouse: lake.root, features: { offline: { type: 'duckdb', rowsPerBucket: 5 }, online: { type: 'embedded' } } }, {})).toThrow(/features\.offline\.rowsPerBucket/);
  });
});

describe('windowed views: the ASOF join and the sorted timeline', () => {
  const lake = fixtureCopy('features');
  afterAll(() => lake.cleanup());

  it('give identical tables, row for row (DuckDB uses the first, Spark the second)', async () => {
    const engine = await openEngine(lake.root, { timezone: TZ, duckdb: { memoryLimit: '1GB' } });
    try {
      expect(engine.asofJoin).toBe(true);
      await registerLakeTables(engine, lake.root);
      await engine.registerView('member_days', sourceFileSql('member_days'));
      const entities = new Map(DEFINITIONS.entities.map((e) => [e.name, e]));
      const windowed = DEFINITIONS.views.filter((v) => v.source.kind === 'windowed' && v.source.spine === 'member_days');
      expect(windowed.map((v) => v.name).sort()).toEqual(['member_activity_mix', 'member_app', 'member_retail', 'member_visits', 'member_wearables']);
      for (const view of windowed) {
        const [asof, timeline] = await Promise.all([true, false].map((on) => engine.query(`SELECT * FROM (${viewSql(view, entities, { asof: on })}) ORDER BY ALL`)));
        expect(asof.length).toBeGreaterThan(10_000);
        expect(asof).toEqual(timeline);
        expect(viewSql(view, entities, { asof: true })).toContain('ASOF LEFT JOIN');
        expect(viewSql(view, entities)).not.toContain('ASOF');
      }
      // the whole group: two views sharing a facts file are one sweep, and each view's columns are its own sweep's
      const group = planGroups(DEFINITIONS).find((g) => g.table === 'member_days')!;
      const [asof, timeline] = await Promise.all([true, false].map((on) => engine.query(`SELECT * FROM (${spineGroupSql(group.views, 'member_days', 'member_id', { asof: on })}) ORDER BY ALL`)));
      expect(asof).toEqual(timeline);
      const alone = await engine.query(`SELECT * FROM (${viewSql(windowed.find((v) => v.name === 'member_activity_mix')!, entities, { asof: true })}) ORDER BY ALL`);
      const names = ['member_id', 'feature_ts', 'prev_days', 'prev_walking', 'prev_hiking'];
      const pick = (rows: Record<string, unknown>[]) => rows.map((r) => names.map((n) => r[n])).sort((a, b) => String(a).localeCompare(String(b)));
      expect(pick(asof)).toEqual(pick(alone));
    } finally {
      engine.close();
    }
  });
});
