import { eventProblem, landingLine, parseEvent, problemReason } from '../../../pipelines/events';
import { eventTimeMs } from '../../../pipelines/event_time';
import { feedSpec } from '../../../pipelines/feeds';

const checkins = feedSpec('class_checkins');
const sales = feedSpec('retail_sales');

describe('the feed event contract', () => {
  it('accepts a feed event, numbers for text included, and a JSON document in a JSON column', () => {
    expect(eventProblem(checkins, { scan_id: 'S1', scanned_at: '2025-01-02T10:00:00Z', member_id: null })).toBeUndefined();
    expect(eventProblem(sales, { txn_id: 7, sold_at: '01/02/2025 10:15 AM', quantity: 2 })).toBeUndefined();
    expect(eventProblem(feedSpec('app_events'), { event_id: 'A1', occurred_at: 1735773233000, properties: { screen: 'home' } })).toBeUndefined();
  });

  it('names what is wrong: not an object, unknown field, wrong type, missing key or event time, a line break in a CSV feed', () => {
    expect(eventProblem(checkins, [1])).toMatchObject({ reason: 'not_an_object' });
    expect(eventProblem(checkins, { scan_id: 'S1', scanned_at: 'x', mood: 1 })).toMatchObject({ reason: 'unknown_field', field: 'mood' });
    expect(eventProblem(checkins, { scan_id: ['S1'], scanned_at: 'x' })).toMatchObject({ reason: 'wrong_type', field: 'scan_id' });
    expect(eventProblem(checkins, { scanned_at: 'x' })).toMatchObject({ reason: 'missing_field', field: 'scan_id' });
    expect(eventProblem(checkins, { scan_id: 'S1', scanned_at: '' })).toMatchObject({ reason: 'missing_field', field: 'scanned_at' });
    expect(eventProblem(sales, { txn_id: 'T1', sold_at: 'x', payment_method: 'a\nb' })).toMatchObject({ reason: 'wrong_type', field: 'payment_method' });
    const bad = parseEvent(checkins, '{"scan_id":');
    expect('problem' in bad && problemReason(bad.problem)).toBe('invalid_json');
  });

  it('writes landing lines in the feed format, quoting CSV cells that need it', () => {
    expect(landingLine(checkins, { scan_id: 'S1', scanned_at: 't' })).toBe('{"scan_id":"S1","scanned_at":"t"}');
    expect(landingLine(sales, { txn_id: 'T1', sold_at: 't', payment_method: 'say "hi", then' })).toBe('T1,,t,,,,,,"say ""hi"", then"');
  });
});

describe('event times as the bronze parser reads them', () => {
  const tz = 'America/New_York';
  it.each([
    ['2025-01-03T07:02:11-05:00', '2025-01-03T12:02:11.000Z'],
    [1735773233000, '2025-01-01T23:13:53.000Z'],
    ['1735773233000', '2025-01-01T23:13:53.000Z'],
    ['01/02/2025 12:05 AM', '2025-01-02T05:05:00.000Z'],
    ['07/04/2025 01:30 PM', '2025-07-04T17:30:00.000Z'],
    ['2025-07-04', '2025-07-04T04:00:00.000Z'],
    ['2025-03-09 03:30:00', '2025-03-09T07:30:00.000Z'],
  ])('%s is %s', (value, iso) => {
    expect(new Date(eventTimeMs(value, tz)!).toISOString()).toBe(iso);
  });
  it('gives undefined for anything else', () => {
    expect(eventTimeMs('soon', tz)).toBeUndefined();
    expect(eventTimeMs({}, tz)).toBeUndefined();
  });
});
