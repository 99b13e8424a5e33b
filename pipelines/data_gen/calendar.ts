/** The simulated calendar: per-day strings, UTC offsets in the gym's zone, holidays and seasonality. */

export interface Day {
  index: number;
  /** YYYY-MM-DD (local date of the gym). */
  date: string;
  /** MM/DD/YYYY, for the tills' format. */
  usDate: string;
  /** 0 = Sunday. */
  dow: number;
  month: number;
  year: number;
  dayOfMonth: number;
  dayOfYear: number;
  /** Midnight of this date as if it were UTC, in ms. */
  utcMidnightMs: number;
  /** Offset of local time from UTC at noon, minutes (e.g. -300 for EST). */
  offsetMinutes: number;
  /** "+hh:mm"/"-hh:mm". */
  offsetText: string;
  closed: boolean;
  holiday: boolean;
  /** Multiplier on visit propensity: January surge, summer dip, December lull. */
  season: number;
  /** Multiplier on joins. */
  joinSeason: number;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function parseIsoDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${text}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== text) throw new Error(`not a calendar date: ${text}`);
  return ms;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function offsetMinutesAt(utcMs: number, fmt: Intl.DateTimeFormat): number {
  const parts = fmt.formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((asUtc - utcMs) / 60000);
}

function nthWeekday(year: number, month: number, dow: number, n: number): number {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((dow - first + 7) % 7) + 7 * (n - 1);
}

function lastWeekday(year: number, month: number, dow: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const lastDow = new Date(Date.UTC(year, month, last)).getUTCDay();
  return last - ((lastDow - dow + 7) % 7);
}

/** US holidays the chain observes: closed on three, shorter hours (lower traffic) on the rest. */
export function holidayKind(year: number, month: number, day: number): 'closed' | 'holiday' | null {
  if ((month === 0 && day === 1) || (month === 11 && day === 25)) return 'closed';
  if (month === 10 && day === nthWeekday(year, 10, 4, 4)) return 'closed';
  if (month === 6 && day === 4) return 'holiday';
  if (month === 4 && day === lastWeekday(year, 4, 1)) return 'holiday';
  if (month === 8 && day === nthWeekday(year, 8, 1, 1)) return 'holiday';
  if (month === 11 && day === 24) return 'holiday';
  if (month === 11 && day === 31) return 'holiday';
  return null;
}

function seasonFor(month: number, dayOfMonth: number): number {
  const byMonth = [1.28, 1.18, 1.08, 1.0, 0.98, 0.9, 0.84, 0.86, 1.0, 1.02, 0.96, 0.86];
  return byMonth[month] + (month === 0 ? 0.1 * (1 - dayOfMonth / 31) : 0);
}

const JOIN_SEASON = [2.4, 1.5, 1.2, 1.0, 1.0, 0.85, 0.75, 0.8, 1.15, 1.0, 0.8, 0.7];

export function buildCalendar(start: string, days: number, timeZone: string): Day[] {
  const startMs = parseIsoDate(start);
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const out: Day[] = [];
  for (let i = 0; i < days; i++) {
    const utcMidnightMs = startMs + i * 86400000;
    const d = new Date(utcMidnightMs);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth();
    const dayOfMonth = d.getUTCDate();
    const offsetMinutes = offsetMinutesAt(utcMidnightMs + 12 * 3600000, fmt);
    const abs = Math.abs(offsetMinutes);
    const kind = holidayKind(year, month, dayOfMonth);
    out.push({
      index: i,
      date: isoDate(utcMidnightMs),
      usDate: `${pad2(month + 1)}/${pad2(dayOfMonth)}/${year}`,
      dow: d.getUTCDay(),
      month,
      year,
      dayOfMonth,
      dayOfYear: Math.floor((utcMidnightMs - Date.UTC(year, 0, 1)) / 86400000),
      utcMidnightMs,
      offsetMinutes,
      offsetText: `${offsetMinutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`,
      closed: kind === 'closed',
      holiday: kind !== null,
      season: seasonFor(month, dayOfMonth),
      joinSeason: JOIN_SEASON[month],
    });
  }
  return out;
}

/** UTC epoch ms of a local time `seconds` after local midnight of `day` (valid from 03:00 local on). */
export function localToUtcMs(day: Day, seconds: number): number {
  return day.utcMidnightMs + seconds * 1000 - day.offsetMinutes * 60000;
}

const HMS: string[] = [];
for (let s = 0; s < 86400; s++) HMS.push(`${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`);
const US_HM: string[] = [];
for (let m = 0; m < 1440; m++) {
  const h = Math.floor(m / 60);
  US_HM.push(`${pad2(h % 12 === 0 ? 12 : h % 12)}:${pad2(m % 60)} ${h < 12 ? 'AM' : 'PM'}`);
}

/** ISO 8601 with the gym's offset: 2025-01-03T07:02:11-05:00. */
export function isoLocal(day: Day, seconds: number): string {
  return `${day.date}T${HMS[seconds]}${day.offsetText}`;
}

/** The tills' naive local format, minute precision: 01/03/2025 07:02 AM. */
export function usLocal(day: Day, seconds: number): string {
  return `${day.usDate} ${US_HM[Math.floor(seconds / 60)]}`;
}
