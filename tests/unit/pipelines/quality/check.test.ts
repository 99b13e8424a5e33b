import { openEngine } from '../../../../pipelines/engine/create';
import type { Engine } from '../../../../pipelines/engine/engine';
import { runChecks } from '../../../../pipelines/quality/check';
import type { Expectation } from '../../../../pipelines/quality/expectations';
import { tmpLake, TZ } from '../../../helpers';

describe('quality checks', () => {
  let engine: Engine;
  const lake = tmpLake();
  beforeAll(async () => {
    engine = await openEngine(lake.root, { timezone: TZ, duckdb: { memoryLimit: '512MB' } });
    await engine.execute(`
      CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a', 5, 'M1', DATE '2025-01-10'), (2, 'b', 50, 'M2', DATE '2025-01-11'), (2, NULL, -1, 'M9', DATE '2025-01-12')) v(id, cat, n, member_id, d);
      CREATE TABLE members AS SELECT * FROM (VALUES ('M1'), ('M2')) v(member_id);
      CREATE TABLE bronze_feed AS SELECT * FROM (VALUES (DATE '2025-01-20'), (DATE '2025-01-20'), (DATE '2025-01-20'), (DATE '2025-01-20')) v(date);
      CREATE TABLE t__classified AS SELECT * FROM (VALUES ('ok'), ('ok'), ('ok'), ('duplicate')) v(_status);
    `);
  });
  afterAll(() => {
    engine.close();
    lake.cleanup();
  });

  const one = async (e: Expectation) => (await runChecks(engine, [e]))[0];

  it.each<[Expectation, number, RegExp]>([
    [{ kind: 'not_null', table: 't', column: 'cat', severity: 'error' }, 1, /^$/],
    [{ kind: 'unique', table: 't', columns: ['id'], severity: 'error' }, 1, /^2$/],
    [{ kind: 'accepted_values', table: 't', column: 'cat', values: ['a'], severity: 'warn' }, 1, /^b$/],
    [{ kind: 'range', table: 't', column: 'n', min: 0, max: 10, severity: 'error' }, 2, /^-1 … 50$/],
    [{ kind: 'relationship', table: 't', column: 'member_id', to: { table: 'members', column: 'member_id' }, severity: 'error' }, 1, /^M9$/],
    [{ kind: 'min_rows', table: 't', min: 5, severity: 'error' }, 2, /^3 rows$/],
    [{ kind: 'freshness', table: 't', column: 'd', feed: 'feed', maxLagDays: 2, severity: 'warn' }, 8, /^lag 8 days$/],
    [{ kind: 'reconcile', table: 't', classified: 't__classified', feed: 'feed', severity: 'error' }, 0, /bronze 4 = silver 3 \+ quarantined 0 \+ duplicates 1/],
  ])('%o fails %d row(s) with details', async (e, failing, details) => {
    const r = await one(e);
    expect(r.failing).toBe(failing);
    expect(r.passed).toBe(failing === 0);
    expect(r.details).toMatch(details);
    expect(r.severity).toBe(e.severity);
  });

  it('checks only the rebuilt partitions when given a scope', async () => {
    const unique: Expectation = { kind: 'unique', table: 't', columns: ['id'], severity: 'error' };
    const range: Expectation = { kind: 'range', table: 't', column: 'n', min: 0, severity: 'error' };
    const scoped = await runChecks(engine, [unique, range], () => ({ column: 'd', values: ['2025-01-10', '2025-01-11'] }));
    expect(scoped.map((r) => [r.passed, r.failing])).toEqual([[true, 0], [true, 0]]);
    const bad = await runChecks(engine, [range], () => ({ column: 'd', values: ['2025-01-12'] }));
    expect(bad[0].failing).toBe(1);
    const untouched = await runChecks(engine, [unique], () => null);
    expect(untouched[0]).toMatchObject({ passed: true, details: 'no partition rebuilt; checked when written' });
  });

  it('takes freshness from the newest partition when the runner knows it', async () => {
    const e: Expectation = { kind: 'freshness', table: 't', column: 'd', feed: 'feed', maxLagDays: 2, severity: 'warn' };
    expect((await runChecks(engine, [e], undefined, { newest: () => '2025-01-19' }))[0]).toMatchObject({ passed: true, details: 'lag 1 days' });
    expect((await runChecks(engine, [e], undefined, { newest: () => '2025-01-01', bronzeNewest: () => '2025-01-20' }))[0]).toMatchObject({ passed: false, failing: 19 });
  });

  it('passes when the data meets the expectation', async () => {
    const results = await runChecks(engine, [
      { kind: 'unique', table: 'members', columns: ['member_id'], severity: 'error' },
      { kind: 'range', table: 't', column: 'id', min: 1, max: 2, severity: 'error' },
      { kind: 'freshness', table: 't', column: 'd', feed: 'feed', maxLagDays: 10, severity: 'warn' },
    ]);
    expect(results.map((r) => r.passed)).toEqual([true, true, true]);
  });
});
