import { openEngine } from '../../../../pipelines/engine/create';
import type { Engine } from '../../../../pipelines/engine/engine';
import { weeklyMembers, weeklySupplementSales } from '../../../../training/forecast/weekly_sales';
import { tmpLake, TZ } from '../../../helpers';

/** Days from `from` for `days` days, a supplement selling 2 units a day (none on the closed first day). */
async function lake(engine: Engine, from: string, days: number): Promise<void> {
  await engine.execute(`
    CREATE OR REPLACE TABLE dim_date AS SELECT (DATE '${from}' + INTERVAL (i) DAY)::DATE AS date FROM range(${days}) t(i);
    CREATE OR REPLACE TABLE revenue_by_product_daily AS
      SELECT date, 'S1' AS sku, 'Whey' AS product_name, 'supplements' AS category, 2 AS units FROM dim_date WHERE date > DATE '${from}';
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
    await lake(engine, '2025-01-01', 20); // Wednesday 1 January to Monday 20 January
    const [total, s1] = await weeklySupplementSales(engine);
    expect(s1).toMatchObject({ sku: 'S1', weeks: ['2025-01-06', '2025-01-13'], units: [14, 14], before: { week: '2024-12-30', days: 5, units: 8 } });
    expect(total).toMatchObject({ sku: 'TOTAL', units: [14, 14], before: { days: 5, units: 8 } });
    expect(await weeklyMembers(engine, total.weeks)).toEqual([1, 2]);
  });

  it('says so when the data holds no complete week', async () => {
    await lake(engine, '2025-01-01', 6); // Wednesday to Monday: two partial weeks
    await expect(weeklySupplementSales(engine)).rejects.toThrow('no complete weeks of supplement sales in gold; run the pipeline on more days');
  });
});
