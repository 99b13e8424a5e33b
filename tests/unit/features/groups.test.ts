import { defineFeatureView } from '../../../features/define';
import { DEFINITIONS } from '../../../features/definitions';
import { firstChangedDay } from '../../../features/offline/day_digests';
import { pickTables } from '../../../features/offline/engine_historical';
import { spineGroupSql } from '../../../features/offline/group_sql';
import { planGroups } from '../../../features/offline/groups';
import { resolveFeatures } from '../../../features/refs';

const tables = (defs = DEFINITIONS) => planGroups(defs).map((g) => `${g.table}: ${g.views.map((v) => v.name).join(',')}`);

describe('feature groups', () => {
  it('store the views of one entity and spine together, a streaming or events view alone', () => {
    expect(tables()).toEqual([
      'member_days: member_visits,member_retail,member_app,member_wearables,member_activity_mix,member_profile',
      'member_live: member_live',
      'product_days: product_sales',
      'class_type_days: class_type_demand',
      'member_class_attendance: member_class_attendance',
      'member_purchases: member_purchases',
      'product_daily_sales: product_daily_sales',
    ]);
  });

  it('give a view whose names collide with its group a table of its own, named after it', () => {
    const twin = defineFeatureView({
      name: 'member_visits_again',
      entities: ['member'],
      description: 'The same window column as member_visits.',
      ttl: '2d',
      source: { kind: 'windowed', file: 'member_visit_facts', spine: 'member_days', sums: { visits: [30] } },
      schema: [{ name: 'visits_last_month', type: 'int', description: 'Visit days in the 30 days before.', expr: 'visits_30d' }],
    });
    const other = defineFeatureView({ ...twin, name: 'member_other', source: { kind: 'windowed', file: 'member_visit_facts', spine: 'member_days', sums: { checkins: [7] } }, schema: [{ name: 'checkins_week', type: 'int', description: 'x', expr: 'checkins_7d' }] });
    const defs = { ...DEFINITIONS, views: [...DEFINITIONS.views, twin, other] };
    expect(tables(defs)).toContain('member_visits_again: member_visits_again');
    expect(tables(defs)[0]).toBe('member_days: member_visits,member_retail,member_app,member_wearables,member_activity_mix,member_profile,member_other');
  });

  it("keep each feature's own TTL and output name when views share a table", () => {
    const selections = resolveFeatures(DEFINITIONS, { features: ['member_live:checkins_today', 'member_visits:visits_7d', 'member_profile:plan'] });
    const names = ['checkins_today', 'visits_7d', 'plan'];
    const locate = (v: string) => ({ table: v === 'member_live' ? 'member_live' : 'member_days', files: [`${v}.parquet`] });
    const picks = pickTables(selections, names, locate, false);
    expect(picks.map((p) => [p.views, p.spec.names, p.spec.ttls])).toEqual([
      [['member_live'], ['checkins_today'], [86_400_000]],
      [['member_visits', 'member_profile'], ['visits_7d', 'plan'], [172_800_000, 172_800_000]],
    ]);
    expect(pickTables(selections, names, locate, true).flatMap((p) => p.spec.ttls)).toEqual([0, 0, 0]);
  });

  it("read the profile's rows as the spine (no join) and fold earlier days' deltas when built from a day", () => {
    const group = planGroups(DEFINITIONS)[0];
    const sql = spineGroupSql(group.views, 'member_days', 'member_id', { asof: true, month: true });
    expect(sql).not.toMatch(/LEFT JOIN sv_/);
    expect(sql.match(/ASOF LEFT JOIN/g)).toHaveLength(4); // one per facts file: the activity mix shares the wearables sweep
    const from = spineGroupSql(group.views, 'member_days', 'member_id', { asof: true, from: '2025-03-01' });
    expect(from).toContain("WHERE day <= DATE '2025-02-28' GROUP BY \"member_id\"");
  });
});

describe('per-day digests', () => {
  it('name the first day that differs, added, changed or gone', () => {
    expect(firstChangedDay({ '2025-01-01': '1:a', '2025-01-02': '2:b' }, { '2025-01-01': '1:a', '2025-01-02': '2:b' })).toBeNull();
    expect(firstChangedDay({ '2025-01-01': '1:a' }, { '2025-01-01': '1:a', '2025-01-03': '1:c' })).toBe('2025-01-03');
    expect(firstChangedDay({ '2025-01-01': '1:a', '2025-01-05': '1:e' }, { '2025-01-01': '1:a', '2025-01-05': '1:x', '2025-01-07': '1:g' })).toBe('2025-01-05');
    expect(firstChangedDay({ '2025-01-02': '1:b' }, {})).toBe('2025-01-02');
  });
});
