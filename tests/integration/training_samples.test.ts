import { silentLogger } from '../../core/logger';
import { FeatureStore } from '../../features/store';
import { CHURN_PARAMS, churnSplit } from '../../training/churn/train_churn';
import { RECOMMENDER_SHARED, recommenderSplit } from '../../training/recommend/train_recommender';
import { fixtureCopy } from '../fixtures/cache';
import { servingConfig } from '../fixtures/lakes';
import { TZ } from '../helpers';

describe('training inputs above their row caps', () => {
  // 600 members × 180 days: two monthly churn snapshots with a full horizon
  const lake = fixtureCopy('serving');
  const config = servingConfig(lake.root);
  const store = FeatureStore.open(config, { logger: silentLogger });
  const ctx = { store, lakehouse: lake.root, timezone: TZ, duckdb: config.duckdb, logger: silentLogger };
  const caps = { churn: CHURN_PARAMS.maxRows, interactions: RECOMMENDER_SHARED.maxInteractions };
  afterAll(async () => {
    CHURN_PARAMS.maxRows = caps.churn;
    RECOMMENDER_SHARED.maxInteractions = caps.interactions;
    await store.close();
    lake.cleanup();
  });

  const byMember = (rows: { member_id?: unknown; member?: unknown }[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(String(r.member_id ?? r.member), (m.get(String(r.member_id ?? r.member)) ?? 0) + 1);
    return m;
  };

  it('churn reads a deterministic sample of members, each with all of their snapshots', async () => {
    const full = await churnSplit(ctx);
    expect(full.memberShare).toBe(1);
    CHURN_PARAMS.maxRows = Math.floor(full.rows.length / 4);
    const sampled = await churnSplit(ctx);
    expect(sampled.memberShare).toBeCloseTo(0.25, 2);
    expect(sampled.rows.length).toBeGreaterThan(0.15 * full.rows.length);
    expect(sampled.rows.length).toBeLessThan(0.35 * full.rows.length);
    const all = byMember(full.rows);
    for (const [member, n] of byMember(sampled.rows)) expect(n).toBe(all.get(member));
    expect((await churnSplit(ctx)).rows).toEqual(sampled.rows);
  });

  it('recommenders read a deterministic sample of members, each with all of their interactions', async () => {
    const full = await recommenderSplit(ctx, 'classes');
    expect(full.memberShare).toBe(1);
    RECOMMENDER_SHARED.maxInteractions = Math.floor(full.all.length / 3);
    const sampled = await recommenderSplit(ctx, 'classes');
    expect(sampled.memberShare).toBeCloseTo(1 / 3, 2);
    const all = byMember(full.all);
    const some = byMember(sampled.all);
    expect(some.size).toBeLessThan(0.5 * all.size);
    for (const [member, n] of some) expect(n).toBe(all.get(member));
  });
});
