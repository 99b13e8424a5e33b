/** Calendar-day arithmetic on ISO dates (`YYYY-MM-DD`), in UTC so no DST shift ever moves a day. */
const DAY_MS = 86_400_000;

/** The ISO date `n` days after `day` (negative: before). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The ISO date of an epoch day number (days since 1970-01-01), e.g. for chart ticks. */
export function epochDayToIso(epochDay: number): string {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
}

/** Days since 1970-01-01 of an ISO date. */
export function isoToEpochDay(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / DAY_MS;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date (`YYYY-MM-DD`) of an instant in `timeZone`. */
export function localDay(at: Date, timeZone: string): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  return f.format(at);
}
