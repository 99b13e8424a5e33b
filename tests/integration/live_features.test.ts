import { silentLogger } from '../../core/logger';
import { Db } from '../../pipelines/engine/duckdb/db';
import { createBronzeViews } from '../../pipelines/bronze/reader';
import { Rng } from '../../pipelines/data_gen/rng';
import { FeatureStore } from '../../features/store';
import { LiveFold, type StreamView } from '../../features/stream_view';
import { fixtureCopy } from '../fixtures/cache';
import { servingConfig } from '../fixtures/lakes';
import { TZ } from '../helpers';

jest.setTimeout(180_000);

const FEEDS = ['class_checkins', 'facility_usage', 'retail_sales', 'app_events'];

describe('a streaming feature view: one definition, the same values online (folded) and offline (from bronze)', () => {
  const lake = fixtureCopy('tiny');
  let store: FeatureStore;

  beforeAll(() => {
    store = FeatureStore.open(servingConfig(lake.root), { logger: silentLogger });
    store.apply();
  });
  afterAll(async () => {
    await store.close();
    lake.cleanup();
  });

  it('folding every bronze event in a shuffled order, some delivered twice, gives each member its offline row at its latest event', async () => {
    await store.build({ views: ['member_live'] });
    const view = store.registry().views.find((v) => v.name === 'member_live') as unknown as StreamView;
    const db = await Db.open({ memoryLimit: '1GB' });
    let events: { feed: string; event: Record<string, unknown> }[] = [];
    try {
      await createBronzeViews(db, lake.root);
      for (const feed of FEEDS) {
        const rows = await db.all<Record<string, unknown>>(`SELECT * EXCLUDE (_source_file, _line_number, _batch_id, _ingested_at, date) FROM bronze_${feed} ORDER BY _source_file, _line_number`);
        events.push(...rows.map((event) => ({ feed, event })));
      }
    } finally {
      db.close();
    }
    expect(events.length).toBeGreaterThan(10_000);
    const rng = new Rng(7);
    events = [...events, ...events.filter(() => rng.chance(0.05))];
    for (let i = events.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [events[i], events[j]] = [events[j], events[i]];
    }
    const fold = new LiveFold(view, TZ);
    for (let i = 0; i < events.length; i += 997) fold.apply(events.slice(i, i + 997));
    const restored = new LiveFold(view, TZ);
    restored.restore(fold.snapshot());
    const online = new Map(restored.rows().map((r) => [r.key, r]));
    const { rows: offline } = await store.offline.latest(view, 'member_id', new Date(0), new Date());
    expect(offline.length).toBeGreaterThan(200);
    expect([...online.keys()].sort()).toEqual(offline.map((r) => r.key).sort());
    const names = view.schema.map((f) => f.name);
    const differ = offline.filter((r) => JSON.stringify(online.get(r.key)!.values) !== JSON.stringify(r.values) || online.get(r.key)!.featureTs.getTime() !== r.featureTs.getTime());
    expect(differ.slice(0, 3).map((r) => ({ key: r.key, names, offline: r.values, online: online.get(r.key)!.values }))).toEqual([]);
    const active = offline.filter((r) => Number(r.values[names.indexOf('checkins_today')]) > 0 && Number(r.values[names.indexOf('app_sessions_today')]) > 0);
    expect(active.length).toBeGreaterThan(10);
  });

  it('refuses a streaming view whose feature is neither an aggregation nor live_day', () => {
    const view = store.registry().views.find((v) => v.name === 'member_live')!;
    const bad = { ...view, schema: [...view.schema, { name: 'mood', type: 'string' as const, description: 'x' }] };
    const defs = { entities: store.registry().entities, views: [bad], services: [], spines: store.registry().spines };
    expect(() => store.apply(defs)).toThrow('feature view member_live: feature mood is neither an aggregation nor live_day');
  });
});
