import { addDays } from '../../../../core/dates';
import { openEngine } from '../../../../pipelines/engine/create';
import type { Engine } from '../../../../pipelines/engine/engine';
import { weeklyMembers, weeklySeries, type DailyUnits } from '../../../../training/forecast/weekly_sales';
import { tmpLake, TZ } from '../../../helpers';

/** Days from `from` for `days` days, a supplement selling 2 units a day (none on the closed first day). */
function sales(from: string, days: number): DailyUnits[] {
  return Array.from({ length: days - 1 }, (_, i) => ({ sku: 'S1', name: 'Whey', day: addDays(from, i + 1), units: 2 }));
}

async function members(engine: Engine): Promise<void> {
  await engine.execute(`
    CREATE OR REPLACE TABLE dim_member AS SELECT * FROM (VALUES
      ('M1', 'active', TIMESTAMPTZ '2024-12-01 00:00:00+00', NULL::TIMESTAMPTZ),
      ('M2', 'active', TIMESTAMPTZ '2025-01-10 00:00:00+00', TIMESTAMPTZ '2025-01-15 00:00:00+00')) v(member_id, status, valid_from, valid_to);`);
}

describe('weekly supplement series', () => {
  const dir = tmpLake();
  let engine: Engine;
  beforeAll(async () => {
    engine = await openEngine(dir.root, { timezone: TZ, duckdb: { memoryLimit: '512MB' } });
  });
  afterAll(() => {
    engine.close();
    dir.cleanup();
  });

  it('keeps complete Monday weeks, the partial first week aside with its calendar days, and members on the books per week', async () => {
    // Wednesday 1 January to Monday 20 January, and a product with sales only in the first complete week
    const [total, s0, s1] = weeklySeries([...sales('2025-01-01', 20), { sku: 'S0', name: 'Bar', day: '2025-01-07', units: 3 }], '2025-01-01', '2025-01-20');
    expect(s0).toMatchObject({ sku: 'S0', weeks: ['2025-01-06', '2025-01-13'], units: [3, 0], before: { week: '2024-12-30', days: 5, units: 0 } });
    expect(s1).toMatchObject({ sku: 'S1', weeks: ['2025-01-06', '2025-01-13'], units: [14, 14], before: { week: '2024-12-30', days: 5, units: 8 } });
    expect(total).toMatchObject({ sku: 'TOTAL', units: [17, 14], before: { days: 5, units: 8 } });
    await members(engine);
    expect(await weeklyMembers(engine, total.weeks)).toEqual([1, 2]);
  });

  it('says so when the data holds no complete week', async () => {
    // Wednesday to Monday: two partial weeks
    expect(() => weeklySeries(sales('2025-01-01', 6), '2025-01-01', '2025-01-06')).toThrow('no complete weeks of supplement sales; run the pipeline on more days');
    expect(() => weeklySeries([], '2025-01-01', '2025-01-20')).toThrow('no complete weeks of supplement sales; run the pipeline on more days');
  });
});
