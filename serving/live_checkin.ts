/** How long after a class check-in its weekly slot is left out of the member's class recommendations. */
export const CHECKIN_HOLD_MS = 3 * 3_600_000;
/** A slot matches a check-in scanned within this many minutes of its start. */
const SLOT_MATCH_MIN = 45;

/** The member's recent check-in, from the live features, or null when there is none within CHECKIN_HOLD_MS of `now`. */
export function recentCheckin(values: Record<string, unknown>, now: Date): { at: Date; club: string } | null {
  const ms = Number(values.last_checkin_ms);
  const club = values.last_checkin_club;
  if (!Number.isFinite(ms) || values.last_checkin_ms === null || typeof club !== 'string') return null;
  const age = now.getTime() - ms;
  return age >= -5 * 60_000 && age <= CHECKIN_HOLD_MS ? { at: new Date(ms), club } : null;
}

const weekday = new Map<string, Intl.DateTimeFormat>();

/**
 * Whether a weekly class slot (`club:type:weekday:HH:MM`, weekday 0 = Sunday, as the recommender's
 * items are named) is the class a check-in at `at` (in `timeZone`) was for: same club, same local
 * weekday, starting within 45 minutes of the scan.
 */
export function slotOfCheckin(itemId: string, checkin: { at: Date; club: string }, timeZone: string): boolean {
  const [club, , dow, hh, mm] = itemId.split(':');
  if (club !== checkin.club) return false;
  let f = weekday.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    weekday.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(checkin.at).map((x) => [x.type, x.value]));
  const scanDow = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday);
  if (Number(dow) !== scanDow) return false;
  return Math.abs(Number(hh) * 60 + Number(mm) - (Number(p.hour) * 60 + Number(p.minute))) <= SLOT_MATCH_MIN;
}
