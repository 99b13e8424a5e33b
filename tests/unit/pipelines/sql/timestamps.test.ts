import { Db } from '../../../../pipelines/engine/duckdb/db';
import { localDateSql, parseEventTimeSql } from '../../../../pipelines/sql/timestamps';

describe('parseEventTimeSql', () => {
  let db: Db;
  beforeAll(async () => {
    db = await Db.open();
  });
  afterAll(() => db.close());

  const cases: [string, string | null][] = [
    ['2025-01-03T07:02:11-05:00', '2025-01-03T12:02:11.000Z'],
    ['2025-07-03T07:02:11-04:00', '2025-07-03T11:02:11.000Z'],
    ['2025-07-03T11:02:11Z', '2025-07-03T11:02:11.000Z'],
    ['2025-07-03T11:02:11.250+00:00', '2025-07-03T11:02:11.250Z'],
    ['1735905731000', '2025-01-03T12:02:11.000Z'],
    ['01/03/2025 07:02 AM', '2025-01-03T12:02:00.000Z'],
    ['07/03/2025 07:02 PM', '2025-07-03T23:02:00.000Z'],
    ['03/09/2025 12:30 AM', '2025-03-09T05:30:00.000Z'],
    [' 01/03/2025 07:02 AM ', '2025-01-03T12:02:00.000Z'],
    ['2025-07-03', '2025-07-03T04:00:00.000Z'],
    ['2025-07-03 09:15:00', '2025-07-03T13:15:00.000Z'],
    ['yesterday', null],
    ['13/45/2025 07:02 AM', null],
    ['', null],
  ];

  it.each(cases)('%p → %p', async (raw, expected) => {
    const row = await db.one<{ t: Date | null; d: unknown }>(`SELECT ${parseEventTimeSql(`'${raw}'`, 'America/New_York')} AS t`);
    expect(row.t === null ? null : row.t.toISOString()).toBe(expected);
  });

  it('gives the gym-local calendar date', async () => {
    const row = await db.one<{ d: Date }>(`SELECT ${localDateSql(parseEventTimeSql(`'2025-01-04T03:30:00Z'`, 'America/New_York'), 'America/New_York')} AS d`);
    expect(row.d.toISOString().slice(0, 10)).toBe('2025-01-03');
  });
});
