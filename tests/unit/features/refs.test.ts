import { NotFoundError, ValidationError } from '../../../core/errors';
import { DEFINITIONS } from '../../../features/definitions';
import { outputNames, resolveFeatures } from '../../../features/refs';

describe('feature refs', () => {
  it('resolves view:feature refs and whole views, grouped by view in request order', () => {
    const s = resolveFeatures(DEFINITIONS, { features: ['member_profile:plan', 'member_visits:visits_7d', 'member_profile:price', 'member_app'] });
    expect(s.map((x) => [x.view.name, x.features.map((f) => f.name).join(',')])).toEqual([
      ['member_profile', 'plan,price'],
      ['member_visits', 'visits_7d'],
      ['member_app', 'app_sessions_7d,app_sessions_30d,bookings_30d,goals_set_90d,goals_achieved_90d,workouts_logged_30d'],
    ]);
    expect(s[0].entity.joinKey).toBe('member_id');
  });

  it('resolves a feature service to its features', () => {
    const s = resolveFeatures(DEFINITIONS, { service: 'churn' });
    expect(s.reduce((n, x) => n + x.features.length, 0)).toBeGreaterThanOrEqual(40);
  });

  it('names the bad ref in the error', () => {
    expect(() => resolveFeatures(DEFINITIONS, { features: ['member_visits:visits_8d'] })).toThrow('unknown feature ref "member_visits:visits_8d": view member_visits has no feature "visits_8d"');
    expect(() => resolveFeatures(DEFINITIONS, { features: ['nope:x'] })).toThrow(/unknown feature ref "nope:x"/);
    expect(() => resolveFeatures(DEFINITIONS, { features: ['a:b:c'] })).toThrow(ValidationError);
    expect(() => resolveFeatures(DEFINITIONS, { features: [] })).toThrow('no features requested');
    expect(() => resolveFeatures(DEFINITIONS, { service: 'nope' })).toThrow(NotFoundError);
    try {
      resolveFeatures(DEFINITIONS, { features: ['x'] });
    } catch (e) {
      expect((e as ValidationError).field).toBe('features');
    }
  });

  it('refuses ambiguous output names unless full names are asked for', () => {
    const s = resolveFeatures(DEFINITIONS, { features: ['product_sales:units_7d', 'class_type_demand:checkins_28d'] });
    expect(outputNames(s, false)).toEqual(['units_7d', 'checkins_28d']);
    const clash = [...s, { ...s[0], view: { ...s[0].view, name: 'copy' } }];
    expect(() => outputNames(clash, false)).toThrow('feature name "units_7d" appears in two views');
    expect(outputNames(clash, true)).toEqual(['product_sales__units_7d', 'class_type_demand__checkins_28d', 'copy__units_7d']);
  });
});
