import { buildCalendar, holidayKind, isoLocal, localToUtcMs, usLocal } from '../../../../pipelines/data_gen/calendar';

describe('calendar', () => {
  const days = buildCalendar('2025-03-08', 3, 'America/New_York');

  it('follows the gym zone across a DST change', () => {
    expect(days.map((d) => d.offsetText)).toEqual(['-05:00', '-04:00', '-04:00']);
    expect(new Date(localToUtcMs(days[0], 7 * 3600)).toISOString()).toBe('2025-03-08T12:00:00.000Z');
    expect(new Date(localToUtcMs(days[1], 7 * 3600)).toISOString()).toBe('2025-03-09T11:00:00.000Z');
  });

  it('formats local times in ISO and in the tills style', () => {
    expect(isoLocal(days[1], 7 * 3600 + 2 * 60 + 11)).toBe('2025-03-09T07:02:11-04:00');
    expect(usLocal(days[1], 19 * 3600 + 5 * 60 + 59)).toBe('03/09/2025 07:05 PM');
    expect(usLocal(days[1], 12 * 60)).toBe('03/09/2025 12:12 AM');
  });

  it('knows the holidays the chain observes', () => {
    expect(holidayKind(2025, 0, 1)).toBe('closed');
    expect(holidayKind(2025, 10, 27)).toBe('closed');
    expect(holidayKind(2025, 11, 25)).toBe('closed');
    expect(holidayKind(2025, 4, 26)).toBe('holiday');
    expect(holidayKind(2025, 8, 1)).toBe('holiday');
    expect(holidayKind(2025, 5, 10)).toBeNull();
  });

  it('rejects impossible dates', () => {
    expect(() => buildCalendar('2025-02-30', 1, 'UTC')).toThrow(/not a calendar date/);
  });
});
