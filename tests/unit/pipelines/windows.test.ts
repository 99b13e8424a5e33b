import { applyWindows, emptyWindowState, type WindowInput, type WindowRow, type WindowState } from '../../../pipelines/stream/windows';

const at = (hms: string) => `2025-03-03T${hms}Z`;
let offset = 0;
const ev = (feed: string, event: Record<string, unknown>): WindowInput => ({ feed, event, source: `kafka:t:${feed}`, offset: offset++ });
const checkin = (hms: string, session: string, club = 'C1') => ev('class_checkins', { scan_id: `S${offset}`, club_id: club, session_id: session, scanned_at: at(hms) });
const facility = (hms: string, minutes: number, club = 'C1') => ev('facility_usage', { usage_id: `F${offset}`, club_id: club, started_at: at(hms), duration_min: minutes });
const app = (hms: string, session: string) => ev('app_events', { event_id: `A${offset}`, app_session_id: session, occurred_at: at(hms) });

function run(batches: WindowInput[][]): { rows: WindowRow[][]; late: string[][]; state: WindowState } {
  let state = emptyWindowState();
  const rows: WindowRow[][] = [];
  const late: string[][] = [];
  for (const b of batches) {
    const out = applyWindows(state, b, 'UTC');
    state = out.state;
    rows.push(out.rows);
    late.push(out.late.map((l) => `${l.feed}@${l.event_time} wm ${l.watermark}`));
  }
  return { rows, late, state };
}

const w = (start: string, end: string, metric: WindowRow['metric'], club: string | null, dimension: string | null, value: number): WindowRow => ({ window_start: at(start + '.000'), window_end: at(end + '.000'), metric, club_id: club, dimension, value });

describe('30-second tumbling windows with a one-minute watermark', () => {
  it('emits each window once, in order, after the watermark passes it; counts late events inside the watermark and sets aside later ones', () => {
    const { rows, late, state } = run([
      [
        ev('class_sessions', { session_id: 'S1', class_type: 'yoga', start_time: at('12:00:00'), duration_min: 1 }),
        ev('products', { sku: 'P1', category: 'supplements' }),
        checkin('12:00:05', 'S1'), // enters; leaves at the session's end, 12:01:00
        facility('12:00:20', 1), // leaves 12:01:20
        ev('retail_sales', { txn_id: 'T1', club_id: 'C1', sku: 'P1', quantity: '2', sold_at: at('12:00:40') }),
        app('12:00:10', 'AS1'),
        app('12:00:15', 'AS1'),
        app('12:00:45', 'AS2'),
      ], // max 12:00:45 → watermark 11:59:45: nothing final
      [checkin('12:01:35', 'S9')], // unknown session: leaves an hour later; watermark 12:00:35 closes [12:00:00, 12:00:30)
      [checkin('12:00:10', 'S1'), app('12:00:50', 'AS3')], // the first is too late (its window is final), the second is late but inside the watermark
      [facility('12:02:10', 30, 'C2')], // watermark 12:01:10 closes [12:00:30, 12:01:00)
      [app('12:03:00', 'AS4')], // watermark 12:02:00 closes [12:01:00, 12:01:30) and [12:01:30, 12:02:00)
    ]);
    expect(rows[0]).toEqual([]);
    expect(rows[1]).toEqual([
      w('12:00:00', '12:00:30', 'entries', 'C1', null, 2),
      w('12:00:00', '12:00:30', 'exits', 'C1', null, 0),
      w('12:00:00', '12:00:30', 'occupancy', 'C1', null, 2),
      w('12:00:00', '12:00:30', 'class_checkins', 'C1', 'yoga', 1),
      w('12:00:00', '12:00:30', 'app_sessions', null, null, 1),
    ]);
    expect(rows[2]).toEqual([]);
    expect(late[2]).toEqual(['class_checkins@2025-03-03T12:00:10.000Z wm 2025-03-03T12:00:35.000Z']);
    expect(rows[3]).toEqual([w('12:00:30', '12:01:00', 'retail_units', 'C1', 'supplements', 2), w('12:00:30', '12:01:00', 'app_sessions', null, null, 2)]);
    expect(rows[4]).toEqual([
      w('12:01:00', '12:01:30', 'entries', 'C1', null, 0),
      w('12:01:00', '12:01:30', 'exits', 'C1', null, 2),
      w('12:01:00', '12:01:30', 'occupancy', 'C1', null, 0),
      w('12:01:30', '12:02:00', 'entries', 'C1', null, 1),
      w('12:01:30', '12:02:00', 'exits', 'C1', null, 0),
      w('12:01:30', '12:02:00', 'occupancy', 'C1', null, 1),
      w('12:01:30', '12:02:00', 'class_checkins', 'C1', 'unknown', 1),
    ]);
    expect(state.watermark).toBe(Date.parse(at('12:02:00')));
    expect(Object.keys(state.open).map((k) => new Date(Number(k)).toISOString()).sort()).toEqual([at('12:02:00.000'), at('12:03:00.000'), at('12:32:00.000'), at('13:01:30.000')]);
  });

  it('never changes the state it is given (a batch that fails to commit leaves the committed state as it was)', () => {
    const before = emptyWindowState();
    const snapshot = JSON.stringify(before);
    applyWindows(before, [checkin('12:00:05', 'S1'), app('12:05:00', 'A')], 'UTC');
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});
