import { defineFeatureView, ttlMs } from '../../../features/define';

const base = { name: 'v', entities: ['member'], description: 'd', ttl: '2d', source: { kind: 'sql' as const, file: 'member_profile' }, schema: [{ name: 'f', type: 'int' as const, description: 'x' }] };

describe('feature definitions', () => {
  it('parses TTLs', () => {
    expect(ttlMs('2d')).toBe(172_800_000);
    expect(ttlMs('36h')).toBe(129_600_000);
    expect(ttlMs('0s')).toBe(0);
    expect(() => ttlMs('2 days')).toThrow('bad ttl');
  });

  it('rejects a malformed view, naming the field', () => {
    expect(defineFeatureView(base).online).toBe(true);
    expect(() => defineFeatureView({ ...base, ttl: '2 weeks' })).toThrow('invalid feature view v definition: ttl: like "2d", "36h"');
    expect(() => defineFeatureView({ ...base, name: 'Bad-Name' })).toThrow(/name: lower_snake_case/);
    expect(() => defineFeatureView({ ...base, schema: [{ name: 'f', type: 'decimal' as 'int', description: 'x' }] })).toThrow(/schema\.0\.type/);
    expect(() => defineFeatureView({ ...base, extra: 1 } as typeof base)).toThrow(/invalid feature view/);
  });

  it('rejects a streaming aggregation that lacks its field or puts last over a day', () => {
    const stream = (aggregations: unknown[]) => defineFeatureView({ ...base, source: { kind: 'stream', aggregations } as never });
    expect(stream([{ name: 'n', feed: 'class_checkins', op: 'count', window: 'day' }]).source.kind).toBe('stream');
    expect(() => stream([{ name: 'n', feed: 'app_events', op: 'sum', window: 'day' }])).toThrow('invalid feature view v definition: source.aggregations.0: count_distinct, sum and last need a field');
    expect(() => stream([{ name: 'n', feed: 'class_checkins', op: 'last', field: 'club_id', window: 'day' }])).toThrow("invalid feature view v definition: source.aggregations.0: last is over window 'all'");
    expect(() => stream([{ name: 'n', feed: 'memberships', op: 'count', window: 'day' }])).toThrow(/source.aggregations.0.feed: Invalid option/);
  });
});
