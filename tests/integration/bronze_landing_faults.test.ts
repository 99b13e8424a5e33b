import { appendFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Db } from '../../pipelines/engine/duckdb/db';
import { silentLogger } from '../../core/logger';
import { ingestBronze, type IngestResult } from '../../pipelines/bronze/ingest';
import { BronzeLog } from '../../pipelines/bronze/log';
import { createBronzeViews } from '../../pipelines/bronze/reader';
import { DuckDbEngine } from '../../pipelines/engine/duckdb/duckdb_engine';
import { tmpLake, TZ } from '../helpers';

const HEADER = 'usage_id,machine_id,machine_type,club_id,member_id,started_at,duration_sec,sets,reps,weight_kg';
const row = (id: string) => `${id},C01-ROWER-01,rower,C01,M0000001,1741435200000,600,,,`;
const event = (id: string) => `{"event_id":"${id}","member_id":"M0000001","event_type":"app_open","occurred_at":1741176000000,"properties":{}}`;

describe('bronze ingestion of bad landing files', () => {
  const lake = tmpLake();
  const landing = (feed: string, name: string) => {
    mkdirSync(join(lake.root, 'landing', feed), { recursive: true });
    return join(lake.root, 'landing', feed, name);
  };
  let now = new Date();
  const ingest = async (settleMs = 10_000): Promise<IngestResult> => {
    const db = await Db.open();
    try {
      return await ingestBronze(lake.root, { timezone: TZ, maxFilesPerBatch: 1000, settleMs }, { db, logger: silentLogger, now: () => now });
    } finally {
      db.close();
    }
  };
  const query = async <T extends Record<string, unknown>>(sql: string): Promise<T[]> => {
    const db = await Db.open();
    try {
      await createBronzeViews(db, lake.root);
      return await db.all<T>(sql);
    } finally {
      db.close();
    }
  };
  afterAll(() => lake.cleanup());

  it('quarantines a binary file and an invalid-UTF-8 file whole, lands the good files of the batch, and a re-run is a no-op', async () => {
    writeFileSync(landing('app_events', 'app_events_2025-03-01.jsonl'), `${event('A1')}\n${event('A2')}\n`);
    const binary = landing('app_events', 'app_events_2025-03-02.jsonl');
    writeFileSync(binary, Buffer.from([0x7b, 0x00, 0x01, 0x02, 0xff, 0x0a, 0x00]));
    utimesSync(binary, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    writeFileSync(landing('equipment_usage', 'equipment_usage_2025-03-02.csv'), Buffer.concat([Buffer.from(`${HEADER}\n${row('E1')}\n`), Buffer.from([0x45, 0x32, 0xc3, 0x28, 0x0a])]));
    writeFileSync(landing('equipment_usage', 'equipment_usage_2025-03-03.csv'), `${HEADER}\n${row('E3')}\n`);
    const r = await ingest();
    expect([r.files, r.rows, r.quarantined, r.rejected]).toEqual([4, 3, 2, ['app_events/app_events_2025-03-02.jsonl', 'equipment_usage/equipment_usage_2025-03-02.csv']]);
    const q = await query<{ f: string; line: number | null; reason: string }>('SELECT _source_file AS f, _line_number AS line, reason FROM bronze_quarantine ORDER BY f');
    expect(q).toEqual([
      { f: 'app_events/app_events_2025-03-02.jsonl', line: null, reason: 'binary_file' },
      { f: 'equipment_usage/equipment_usage_2025-03-02.csv', line: null, reason: 'invalid_utf8:line 3' },
    ]);
    expect((await query<{ n: number }>('SELECT count(*)::INT AS n FROM bronze_app_events'))[0].n).toBe(2);
    const again = await ingest();
    expect([again.files, again.batches, again.rejected]).toEqual([0, 0, []]);
  });

  it('drops a UTF-8 byte-order mark: the first JSON record and every CSV row land', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    writeFileSync(landing('app_events', 'app_events_2025-03-04.jsonl'), Buffer.concat([bom, Buffer.from(`${event('B1')}\n${event('B2')}\n`)]));
    writeFileSync(landing('equipment_usage', 'equipment_usage_2025-03-04.csv'), Buffer.concat([bom, Buffer.from(`${HEADER}\r\n${row('E4')}\r\n${row('E5')}\r\n`)]));
    const r = await ingest();
    expect([r.files, r.rows, r.quarantined]).toEqual([2, 4, 0]);
    const ids = await query<{ id: string; line: number }>(
      `SELECT event_id AS id, _line_number::INT AS line FROM bronze_app_events WHERE _source_file LIKE '%03-04%' UNION ALL SELECT usage_id, _line_number::INT FROM bronze_equipment_usage WHERE _source_file LIKE '%03-04%' ORDER BY id`,
    );
    expect(ids).toEqual([
      { id: 'B1', line: 1 },
      { id: 'B2', line: 2 },
      { id: 'E4', line: 2 },
      { id: 'E5', line: 3 },
    ]);
  });

  it('quarantines every line of a CSV without a header, the first included: landed lines = bronze + quarantine', async () => {
    writeFileSync(landing('equipment_usage', 'equipment_usage_2025-03-05.csv'), `${row('H1')}\n${row('H2')}\n${row('H3')}\n`);
    const r = await ingest();
    expect([r.files, r.rows, r.quarantined]).toEqual([1, 0, 3]);
    const q = await query<{ line: number; reason: string; raw: string }>(
      `SELECT _line_number::INT AS line, reason, raw_line AS raw FROM bronze_quarantine WHERE _source_file LIKE '%03-05%' ORDER BY line`,
    );
    expect(q).toEqual([1, 2, 3].map((line) => ({ line, reason: 'missing_header', raw: row(`H${line}`) })));
  });

  it('takes only the complete lines of a file still being written, then its remainder exactly once', async () => {
    const path = landing('app_events', 'app_events_2025-03-06.jsonl');
    const whole = Array.from({ length: 10 }, (_, i) => event(`P${i + 1}`)).join('\n') + '\n';
    const cut = whole.indexOf(event('P6')) + 20;
    writeFileSync(path, whole.slice(0, cut));
    writeFileSync(landing('app_events', 'app_events_2025-03-07.jsonl'), '{"event_id":"Q1","occ');
    now = new Date();
    const first = await ingest();
    expect([first.files, first.rows, first.quarantined, first.pending]).toEqual([1, 5, 0, ['app_events/app_events_2025-03-07.jsonl']]);
    appendFileSync(path, whole.slice(cut));
    const second = await ingest();
    expect([second.appended, second.rows, second.quarantined]).toEqual([['app_events/app_events_2025-03-06.jsonl'], 5, 0]);
    const ids = await query<{ id: string }>(`SELECT event_id AS id FROM bronze_app_events WHERE _source_file LIKE '%03-06%' ORDER BY _line_number`);
    expect(ids.map((x) => x.id)).toEqual(Array.from({ length: 10 }, (_, i) => `P${i + 1}`));
    expect((await ingest()).files).toBe(0);
  });

  it('takes an unterminated last line once the file has settled', async () => {
    const old = new Date(Date.now() - 60_000);
    utimesSync(landing('app_events', 'app_events_2025-03-07.jsonl'), old, old);
    const r = await ingest();
    expect([r.files, r.rows, r.quarantined, r.pending]).toEqual([1, 0, 1, []]);
  });

  it('warns of a drop date after today, and counts its records as known from the day they were ingested', async () => {
    now = new Date('2026-03-10T15:00:00Z');
    writeFileSync(landing('app_events', 'app_events_2099-01-01.jsonl'), `${event('F1')}\n`);
    const r = await ingest();
    expect([r.rows, r.futureDated]).toEqual([1, ['app_events/app_events_2099-01-01.jsonl']]);
    const batch = BronzeLog.load(join(lake.root, 'bronze', '_log')).commits.at(-1)!.batch_id;
    const engine = await DuckDbEngine.open(lake.root, TZ);
    try {
      const known = await engine.query<{ future: string; normal: string }>(
        `SELECT fitlake_known_date(DATE '2025-03-05', 'app_events/app_events_2099-01-01.jsonl', ${batch})::VARCHAR AS future,
                fitlake_known_date(DATE '2025-03-05', 'app_events/app_events_2025-03-06.jsonl', ${batch})::VARCHAR AS normal`,
      );
      expect(known).toEqual([{ future: '2026-03-11', normal: '2025-03-07' }]);
    } finally {
      engine.close();
    }
  });
});
