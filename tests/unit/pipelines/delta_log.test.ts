import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, ValidationError } from '../../../core/errors';
import { isDeltaTable, latestDeltaVersion, readDeltaHistory, readDeltaSnapshot } from '../../../pipelines/delta/delta_log';
import { Db } from '../../../pipelines/engine/duckdb/db';

const pad = (v: number) => String(v).padStart(20, '0');
const protocol = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };
const meta = { metaData: { id: 'x', format: { provider: 'parquet', options: {} }, schemaString: '{"type":"struct","fields":[]}', partitionColumns: ['date'], configuration: {} } };
const add = (path: string, date: string, rows: number) => ({ add: { path, partitionValues: { date }, size: 10, modificationTime: 1, dataChange: true, stats: JSON.stringify({ numRecords: rows }) } });
const remove = (path: string) => ({ remove: { path, deletionTimestamp: 2, dataChange: true } });
const info = (op: string, extra: Record<string, unknown> = {}) => ({ commitInfo: { timestamp: Date.UTC(2026, 0, 1), operation: op, ...extra } });

describe('the Delta log reader', () => {
  let dir: string;
  const commit = (v: number, actions: object[]) => writeFileSync(join(dir, '_delta_log', `${pad(v)}.json`), actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fitlake-delta-'));
    mkdirSync(join(dir, '_delta_log'));
    commit(0, [info('WRITE', { operationParameters: { mode: 'Overwrite' }, userMetadata: '{"fitlake_run":"r0"}' }), protocol, meta, add('date=2025-01-01/a%20b.parquet', '2025-01-01', 3), add('date=2025-01-02/c.parquet', '2025-01-02', 4)]);
    commit(1, [info('WRITE', { operationParameters: { mode: 'Overwrite', predicate: "date IN ('2025-01-02')" }, operationMetrics: { numOutputRows: '5' } }), remove('date=2025-01-02/c.parquet'), add('date=2025-01-02/d.parquet', '2025-01-02', 5)]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replays commits: add minus remove by path, decoded, at any version (time travel)', async () => {
    expect(isDeltaTable(dir)).toBe(true);
    expect(latestDeltaVersion(dir)).toBe(1);
    const now = await readDeltaSnapshot(dir);
    expect([now.version, now.partitionColumns, now.files.map((f) => [f.path, f.partitionValues.date, f.rows])]).toEqual([
      1,
      ['date'],
      [
        ['date=2025-01-01/a b.parquet', '2025-01-01', 3],
        ['date=2025-01-02/d.parquet', '2025-01-02', 5],
      ],
    ]);
    expect((await readDeltaSnapshot(dir, 0)).files.map((f) => f.path)).toEqual(['date=2025-01-01/a b.parquet', 'date=2025-01-02/c.parquet']);
    expect(readDeltaHistory(dir).map((c) => [c.version, c.operation, c.parameters.predicate ?? null, c.userMetadata])).toEqual([
      [0, 'WRITE', null, '{"fitlake_run":"r0"}'],
      [1, 'WRITE', "date IN ('2025-01-02')", null],
    ]);
    const late = await readDeltaSnapshot(dir, 2).catch((e: unknown) => e);
    expect([late, (late as Error).message]).toEqual([expect.any(ValidationError), `version 2: the Delta table ${dir} has versions up to 1`]);
  });

  it('starts from the newest checkpoint (Parquet) and reads on from the commits after it, even when older commits are gone', async () => {
    const db = await Db.open();
    try {
      const cp = join(dir, '_delta_log', `${pad(1)}.checkpoint.parquet`);
      await db.run(`COPY (
        SELECT {'minReaderVersion': 1, 'minWriterVersion': 2} AS protocol, NULL::STRUCT(id VARCHAR, "schemaString" VARCHAR, "partitionColumns" VARCHAR[], configuration MAP(VARCHAR, VARCHAR)) AS "metaData", NULL::STRUCT(path VARCHAR, "partitionValues" MAP(VARCHAR, VARCHAR), size BIGINT, stats VARCHAR) AS add
        UNION ALL SELECT NULL, {'id': 'x', 'schemaString': '{}', 'partitionColumns': ['date'], 'configuration': MAP {}}, NULL
        UNION ALL SELECT NULL, NULL, {'path': 'date=2025-01-01/a%20b.parquet', 'partitionValues': MAP {'date': '2025-01-01'}, 'size': 10, 'stats': '{"numRecords":3}'}
        UNION ALL SELECT NULL, NULL, {'path': 'date=2025-01-02/d.parquet', 'partitionValues': MAP {'date': '2025-01-02'}, 'size': 10, 'stats': '{"numRecords":5}'}
      ) TO '${cp}' (FORMAT parquet)`);
    } finally {
      db.close();
    }
    commit(2, [info('DELETE'), remove('date=2025-01-01/a%20b.parquet')]);
    rmSync(join(dir, '_delta_log', `${pad(0)}.json`));
    rmSync(join(dir, '_delta_log', `${pad(1)}.json`));
    expect((await readDeltaSnapshot(dir)).files.map((f) => [f.path, f.rows])).toEqual([['date=2025-01-02/d.parquet', 5]]);
    expect((await readDeltaSnapshot(dir, 1)).files.map((f) => f.path)).toEqual(['date=2025-01-01/a b.parquet', 'date=2025-01-02/d.parquet']);
    const gone = await readDeltaSnapshot(dir, 0).catch((e: unknown) => e);
    expect([gone, (gone as Error).message]).toEqual([expect.any(DataError), `Delta table ${dir}: commit 0 is no longer in its log (cleaned up after a checkpoint), so version 0 cannot be read`]);
  });

  it('refuses tables that need reader features it lacks: deletion vectors, column mapping, unknown features', async () => {
    commit(2, [info('DELETE'), { add: { ...add('date=2025-01-02/e.parquet', '2025-01-02', 1).add, deletionVector: { storageType: 'u', pathOrInlineDv: 'x', sizeInBytes: 1, cardinality: 1 } } }]);
    await expect(readDeltaSnapshot(dir)).rejects.toThrow(/uses deletion vectors, which fitlake's reader does not apply/);
    expect((await readDeltaSnapshot(dir, 1)).version).toBe(1);
    commit(3, [info('SET TBLPROPERTIES'), { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['timestampNtz', 'v2Checkpoint'] } }]);
    await expect(readDeltaSnapshot(dir, 3)).rejects.toThrow(`Delta table ${dir} needs reader version 3 with v2Checkpoint, which fitlake's reader does not implement`);
    commit(4, [info('SET TBLPROPERTIES'), { protocol: { minReaderVersion: 2, minWriterVersion: 5 } }, { metaData: { ...meta.metaData, configuration: { 'delta.columnMapping.mode': 'name' } } }]);
    await expect(readDeltaSnapshot(dir, 4)).rejects.toThrow(/needs reader version 2 and column mapping \(name\)/);
  });

  it('is not fooled by a folder without commits', () => {
    const empty = mkdtempSync(join(tmpdir(), 'fitlake-delta-'));
    mkdirSync(join(empty, '_delta_log'));
    expect(isDeltaTable(empty)).toBe(false);
    expect(() => latestDeltaVersion(empty)).toThrow(/is not a Delta table/);
    rmSync(empty, { recursive: true });
  });
});
