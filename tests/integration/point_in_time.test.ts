import { join } from 'node:path';
import { Db } from '../../pipelines/engine/duckdb/db';
import { sqlString } from '../../pipelines/sql/quote';
import { ValidationError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { TableStore } from '../../pipelines/runner/table_store';
import { defineEntity, defineFeatureView } from '../../features/define';
import type { Definitions } from '../../features/definitions';
import { DuckDbOfflineStore } from '../../features/offline/duckdb_offline_store';
import { resolveFeatures } from '../../features/refs';
import { tmpLake } from '../helpers';

const member = defineEntity({ name: 'member', joinKey: 'member_id', description: 'member' });
const planted = defineFeatureView({
  name: 'planted',
  entities: ['member'],
  description: 'hand-written rows',
  ttl: '3d',
  source: { kind: 'sql', file: 'member_profile' },
  schema: [{ name: 'score', type: 'float', description: 'a number' }],
});
const defs: Definitions = { entities: [member], views: [planted], services: [], spines: [] };

/** feature_ts, created_ts, score — for member M1. */
const ROWS: [string, string, number][] = [
  ['2025-01-10 00:00', '2025-01-10 00:00', 1],
  ['2025-01-12 00:00', '2025-01-12 00:00', 2],
  ['2025-01-12 00:00', '2025-01-12 01:00', 2.5], // same feature_ts, created an hour later: wins once visible
  ['2025-01-14 00:00', '2025-01-25 00:00', 99], // backfill: describes Jan 14, written Jan 25
  ['2025-01-20 00:00', '2025-01-20 00:00', 3], // after the Jan 15 snapshot
  ['2025-01-22 00:00', '2025-01-23 00:00', 50], // late row, visible from Jan 23
];

async function plant(root: string, rows: [string, string, number][]): Promise<void> {
  const tables = new TableStore(join(root, 'features', 'offline'));
  const target = tables.stage('planted');
  const db = await Db.open();
  const values = rows.map(([f, c, s]) => `('M1', TIMESTAMPTZ ${sqlString(f + ':00+00')}, TIMESTAMPTZ ${sqlString(c + ':00+00')}, ${s}::DOUBLE)`).join(', ');
  await db.run(`COPY (SELECT * FROM (VALUES ${values}) t(member_id, feature_ts, created_ts, score)) TO ${sqlString(target.path)} (FORMAT parquet)`);
  db.close();
  tables.swap({ table: 'planted', version: target.version, file: target.file, rows: rows.length, fingerprint: 'planted', built_at: new Date().toISOString() });
}

describe('point-in-time retrieval with planted rows', () => {
  const lake = tmpLake();
  const store = new DuckDbOfflineStore(lake.root, { timezone: 'UTC', duckdb: { memoryLimit: '1GB' } }, silentLogger);
  beforeAll(() => plant(lake.root, ROWS));
  afterAll(() => {
    store.close();
    lake.cleanup();
  });

  const at = async (times: string[], opts: { ignoreTtl?: boolean } = {}) => {
    const h = await store.getHistoricalFeatures({ rows: times.map((t) => ({ member_id: 'M1', event_timestamp: t + 'Z' })) }, resolveFeatures(defs, { features: ['planted:score'] }), opts);
    const rows = await h.rows();
    await h.close();
    return rows.map((r) => r.score);
  };

  it('never returns a value timestamped after the entity row, nor one created after it', async () => {
    // Jan 15: the Jan 20 row is in the future, the Jan 14 backfill was written on Jan 25 → the Jan 12 value.
    expect(await at(['2025-01-15T00:00:00'])).toEqual([2.5]);
    // Later on, the newest feature_ts wins (the Jan 22 late row), not the most recently written backfill.
    expect(await at(['2025-01-26T00:00:00'], { ignoreTtl: true })).toEqual([50]);
    expect(await at(['2025-01-22T12:00:00'])).toEqual([3]);
    expect(await at(['2025-01-23T00:00:00'])).toEqual([50]);
  });

  it('breaks ties on feature_ts by created_ts, counting only rows created by then', async () => {
    expect(await at(['2025-01-12T00:30:00', '2025-01-12T02:00:00', '2025-01-11T00:00:00'])).toEqual([2, 2.5, 1]);
  });

  it('returns null past the TTL (3 days) and before the first value', async () => {
    expect(await at(['2025-01-16T00:00:01', '2025-01-15T00:00:00', '2025-01-09T00:00:00'])).toEqual([null, 2.5, null]);
    expect(await at(['2025-01-16T00:00:01'], { ignoreTtl: true })).toEqual([2.5]);
  });

  it('keeps entity rows in order, with unknown keys as nulls', async () => {
    const h = await store.getHistoricalFeatures(
      { rows: [{ member_id: 'M2', event_timestamp: '2025-01-15T00:00:00Z' }, { member_id: 'M1', event_timestamp: '2025-01-13T00:00:00Z' }] },
      resolveFeatures(defs, { features: ['planted'] }),
    );
    expect(await h.rows()).toEqual([
      { member_id: 'M2', event_timestamp: new Date('2025-01-15T00:00:00Z'), score: null },
      { member_id: 'M1', event_timestamp: new Date('2025-01-13T00:00:00Z'), score: 2.5 },
    ]);
  });

  it('rejects entity rows without a usable timestamp or join key, naming the field', async () => {
    const sel = resolveFeatures(defs, { features: ['planted:score'] });
    await expect(store.getHistoricalFeatures({ rows: [{ member_id: 'M1', event_timestamp: 'yesterday' }] }, sel)).rejects.toMatchObject({ field: 'event_timestamp', message: expect.stringContaining('unparseable event_timestamp') });
    await expect(store.getHistoricalFeatures({ rows: [{ member: 'M1', event_timestamp: '2025-01-13T00:00:00Z' }] }, sel)).rejects.toThrow(ValidationError);
    await expect(store.getHistoricalFeatures({ rows: [{ member: 'M1', event_timestamp: '2025-01-13T00:00:00Z' }] }, sel)).rejects.toMatchObject({ field: 'member_id' });
  });
});
