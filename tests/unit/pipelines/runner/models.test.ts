import { DataError } from '../../../../core/errors';
import { loadModels, parseModel, topoSort, type Model } from '../../../../pipelines/runner/models';

const model = (name: string, depends: string, layer = 'silver') =>
  parseModel(`-- model: ${name}\n-- layer: ${layer}\n-- depends: ${depends}\n-- description: test\n--   continued\nSELECT 1`, `${layer}/${name}.sql`);

describe('SQL models', () => {
  it('parses the header, with continuation lines, and the body', () => {
    const m = model('a', 'bronze_x, b');
    expect(m).toMatchObject({ model: 'a', layer: 'silver', materialized: 'table', depends: ['bronze_x', 'b'], description: 'test continued', sql: 'SELECT 1' });
  });

  it('rejects a header without dependencies or with an unknown key', () => {
    expect(() => parseModel('-- model: a\n-- layer: silver\n-- description: x\nSELECT 1', 'a.sql')).toThrow(/header depends/);
    expect(() => parseModel('-- model: a\n-- layer: silver\n-- depends: b\n-- description: x\n-- owner: me\nSELECT 1', 'a.sql')).toThrow(DataError);
  });

  it('orders by dependencies and rejects cycles, unknown inputs and silver reading gold', () => {
    const sorted = topoSort([model('c', 'b'), model('b', 'a'), model('a', 'bronze_x')]).map((m: Model) => m.model);
    expect(sorted).toEqual(['a', 'b', 'c']);
    expect(() => topoSort([model('a', 'b'), model('b', 'a')])).toThrow(/model cycle: a → b → a/);
    expect(() => topoSort([model('a', 'nope')])).toThrow(/depends on unknown nope/);
    expect(() => topoSort([model('a', 'g'), model('g', 'bronze_x', 'gold')])).toThrow(/silver model a may not read gold g/);
  });

  it('loads the shipped models: every table in one folder, a valid graph', () => {
    const models = topoSort(loadModels());
    const names = models.map((m) => m.model);
    for (const t of ['dim_member', 'dim_product', 'class_checkins', 'retail_sales', 'daily_active_members', 'customer_lifetime_value', 'churn_cohorts', 'member_daily_activity']) expect(names).toContain(t);
    expect(new Set(names).size).toBe(names.length);
  });
});
