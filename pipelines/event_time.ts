const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC (ms) at instant `utcMs`. */
function offsetMs(timeZone: string, utcMs: number): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return local - Math.floor(utcMs / 1000) * 1000;
}

/** A wall-clock time in `timeZone` (as if UTC: Date.UTC of its fields) to the instant. */
export function zonedToUtcMs(localAsUtc: number, timeZone: string): number {
  const first = localAsUtc - offsetMs(timeZone, localAsUtc);
  return localAsUtc - offsetMs(timeZone, first);
}

const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))? ([AP]M)$/i;
const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/**
 * An event-time value as the instant it names (ms since the epoch), for every format the gym's
 * systems write (the same rules as bronze's `parseEventTimeSql`): epoch milliseconds, ISO 8601 with
 * an offset or Z, the tills' `MM/DD/YYYY hh:mm AM` and naive ISO times in the gym's zone, a bare
 * date at local midnight. Undefined when it is none of them.
 */
export function eventTimeMs(value: unknown, timeZone: string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  if (/^\d{11,14}$/.test(v)) return Number(v);
  const us = US.exec(v);
  if (us) {
    const h = (Number(us[4]) % 12) + (us[7].toUpperCase() === 'PM' ? 12 : 0);
    return zonedToUtcMs(Date.UTC(Number(us[3]), Number(us[1]) - 1, Number(us[2]), h, Number(us[5]), Number(us[6] ?? 0)), timeZone);
  }
  if (/([Zz]|[+-]\d{2}(:?\d{2})?)$/.test(v) && v.length > 10) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  const n = NAIVE.exec(v);
  if (!n) return undefined;
  return zonedToUtcMs(Date.UTC(Number(n[1]), Number(n[2]) - 1, Number(n[3]), Number(n[4] ?? 0), Number(n[5] ?? 0), Number(n[6] ?? 0), Number(n[7] ?? 0)), timeZone);
}
