import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Db } from '../../../../pipelines/engine/duckdb/db';
import { csvFeedSql, headersSql, jsonFeedSql, linesSql, UNQUOTE_MACRO } from '../../../../pipelines/bronze/parse_sql';
import { feedSpec } from '../../../../pipelines/feeds';
import { tmpLake, TZ } from '../../../helpers';

interface Parsed {
  _line_number: number;
  _reason: string | null;
  [k: string]: unknown;
}

describe('bronze parse SQL', () => {
  let db: Db;
  const lake = tmpLake();
  beforeAll(async () => {
    db = await Db.open();
    await db.run(UNQUOTE_MACRO);
  });
  afterAll(() => {
    db.close();
    lake.cleanup();
  });

  async function parse(feed: string, name: string, text: string): Promise<Parsed[]> {
    const spec = feedSpec(feed);
    const path = join(lake.root, feed, name);
    mkdirSync(join(lake.root, feed), { recursive: true });
    writeFileSync(path, text);
    const source = `${feed}/${name}`;
    await db.run(`CREATE OR REPLACE TEMP TABLE _lines AS ${linesSql([{ readFrom: path, source, lineBase: 0 }])}`);
    await db.run(`CREATE OR REPLACE TEMP TABLE _headers AS ${headersSql([{ source, header: text.split('\n')[0] }])}`);
    const sql = spec.format === 'csv' ? csvFeedSql(spec, '_lines', '_headers', TZ) : jsonFeedSql(spec, '_lines', TZ);
    return db.all<Parsed>(`${sql} ORDER BY _line_number`);
  }

  it('numbers lines, strips CR, keeps raw text and gives a reason per bad line', async () => {
    const rows = await parse(
      'facility_usage',
      'f.jsonl',
      [
        '{"usage_id":"F1","member_id":"M1","club_id":"C01","facility":"pool","started_at":"2025-01-03T07:00:00-05:00","duration_min":30,"extra":1}\r',
        '{"usage_id":"F2","member_id":"M1","started_at":"2025-01-03T07:0',
        '',
        '[1,2]',
        '{"member_id":"M1","started_at":"2025-01-03T07:00:00-05:00"}',
        '{"usage_id":"F3","started_at":"soon"}',
        '  {"usage_id":"F4","started_at":1735905600000,"duration_min":-5}',
      ].join('\n') + '\n',
    );
    expect(rows.map((r) => [r._line_number, r._reason])).toEqual([
      [1, null],
      [2, 'invalid_json'],
      [4, 'not_an_object'],
      [5, 'missing_field:usage_id'],
      [6, 'bad_event_time:started_at'],
      [7, null],
    ]);
    expect(rows[0]).toMatchObject({ usage_id: 'F1', duration_min: '30', facility: 'pool', _source_file: 'facility_usage/f.jsonl' });
    expect(rows[5]).toMatchObject({ usage_id: 'F4', duration_min: '-5', started_at: '1735905600000' });
  });

  it('keeps nested JSON as JSON text', async () => {
    const rows = await parse('app_events', 'a.jsonl', '{"event_id":"A1","occurred_at":1735905600000,"properties":{"goal_type":"strength"}}\n');
    expect(JSON.parse(rows[0].properties as string)).toEqual({ goal_type: 'strength' });
  });

  it('reads CSV by header name with RFC 4180 quotes and flags broken lines', async () => {
    const rows = await parse(
      'retail_sales',
      'r.csv',
      [
        'sold_at,txn_id,line_no,club_id,member_id,sku,quantity,unit_price,payment_method',
        '01/03/2025 07:02 AM,T1,1,C01,M1,"SUP-WHEY, ""VAN""",1,39.99,card',
        '01/03/2025 07:05 AM,T2,1,C01,,JB-GREEN-16,2,7.50,cash',
        'T3,1',
        '01/03/2025 07:05 AM,T4,1,C01,M1,bad"quote,1,1.00,cash',
      ].join('\n') + '\n',
    );
    expect(rows.map((r) => [r._line_number, r._reason])).toEqual([
      [2, null],
      [3, null],
      [4, 'invalid_csv'],
      [5, 'invalid_csv'],
    ]);
    expect(rows[0]).toMatchObject({ txn_id: 'T1', sku: 'SUP-WHEY, "VAN"', sold_at: '01/03/2025 07:02 AM' });
    expect(rows[1].member_id).toBeNull();
    expect((rows[0].date as Date).toISOString().slice(0, 10)).toBe('2025-01-03');
  });

  it('quarantines every line of a CSV whose header lacks the key', async () => {
    const rows = await parse('equipment_usage', 'e.csv', 'machine_id,started_at\nX,1735905600000\nY,1735905600000\n');
    expect(rows.map((r) => r._reason)).toEqual(['header_missing:usage_id', 'header_missing:usage_id']);
  });

  it('takes a first line naming no column for data, not a header: every line is quarantined, the first included', async () => {
    const rows = await parse('equipment_usage', 'h.csv', 'E1,C01-ROWER-01,rower,C01,M1,1735905600000,600,,,\nE2,C01-ROWER-01,rower,C01,M1,1735905600000,600,,,\n');
    expect(rows.map((r) => [r._line_number, r._reason, r._line])).toEqual([
      [1, 'missing_header', 'E1,C01-ROWER-01,rower,C01,M1,1735905600000,600,,,'],
      [2, 'missing_header', 'E2,C01-ROWER-01,rower,C01,M1,1735905600000,600,,,'],
    ]);
  });

  it('numbers the lines of an appended range after the lines already taken', async () => {
    const path = join(lake.root, 'more.jsonl');
    writeFileSync(path, '{"usage_id":"F9","started_at":1735905600000}\n\n{"usage_id":"F10","started_at":1735905600000}\n');
    const rows = await db.all<{ _source_file: string; _line_number: number }>(`${linesSql([{ readFrom: path, source: 'facility_usage/f.jsonl', lineBase: 7 }])} ORDER BY 2`);
    expect(rows.map((r) => [r._source_file, r._line_number])).toEqual([
      ['facility_usage/f.jsonl', 8],
      ['facility_usage/f.jsonl', 10],
    ]);
  });
});
