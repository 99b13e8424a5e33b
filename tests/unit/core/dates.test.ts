import { addDays, epochDayToIso, isoToEpochDay } from '../../../core/dates';

describe('ISO date arithmetic', () => {
  it('adds days across months, leap days and DST changes', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-03-08', 1)).toBe('2025-03-09');
    expect(addDays('2025-12-29', -364)).toBe('2024-12-30');
    expect(addDays('2025-12-22', 7)).toBe('2025-12-29');
  });

  it('round-trips epoch days', () => {
    expect(isoToEpochDay('1970-01-02')).toBe(1);
    expect(epochDayToIso(isoToEpochDay('2025-06-30'))).toBe('2025-06-30');
  });
});
