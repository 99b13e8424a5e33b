import type { Faker } from '@faker-js/faker';
import { CANCEL_CHANNELS, CLASS_TYPES, PLAN_LADDER, PLANS, PRODUCTS, type CancelReason } from './catalog';
import type { Day } from './calendar';
import type { Club } from './clubs';
import type { TimestampWriter } from './dirt';
import { IdSequence, type ChainPosition } from './ids';
import type { Member } from './members';
import type { Rng } from './rng';
import type { LandingSink } from './sink';

/**
 * Monthly churn hazard: rises with an attendance drop against the member's habit, no visits at all,
 * low app use, short tenure, price (for the price-sensitive), a recent downgrade, a move or an
 * injury, and low latent motivation. Annual contracts lower it. Returns a probability.
 */
export function churnProbability(m: Member, d: number): number {
  const tenure = d - m.joinDay;
  const monthlyPrice = m.annual ? m.price / 12 : m.price;
  const att = Math.log((m.visitsLastMonth + 1) / (m.habitualMonthly + 1));
  const z =
    -4.5 -
    1.2 * att +
    0.9 * (m.visitsLastMonth === 0 ? 1 : 0) -
    0.3 * Math.log1p(m.appLastMonth) +
    0.8 * (tenure < 90 ? 1 : 0) +
    0.35 * (tenure < 365 ? 1 : 0) +
    1.6 * m.priceSensitivity * (monthlyPrice / 50 - 0.4) -
    0.7 * (m.annual ? 1 : 0) +
    0.9 * (d - m.downgradeDay < 90 ? 1 : 0) +
    2.6 * (m.movedDay < d + 31 ? 1 : 0) +
    0.8 * (m.injuredUntil > d ? 1 : 0) -
    2.8 * (m.motivation - 0.45) +
    0.25 * (PLANS[m.plan].code === 'student' ? 1 : 0);
  return 1 / (1 + Math.exp(-z));
}

export function cancelReason(m: Member, d: number, rng: Rng): CancelReason {
  if (m.movedDay < d + 31) return 'relocation';
  if (m.injuredUntil > d) return 'injury_health';
  if (m.priceSensitivity > 0.5 && rng.chance(0.6)) return 'price';
  if (m.visitsLastMonth < 2 && rng.chance(0.6)) return 'not_using';
  return rng.pick(['dissatisfied', 'schedule', 'switched_gym', 'other', 'price', 'not_using'] as const);
}

const TEXTS: Record<CancelReason, ((f: Faker) => string)[]> = {
  price: [() => 'Too expensive for how often I come', () => 'price went up again', () => 'Cannot afford it right now', () => 'Found a cheaper option'],
  relocation: [(f) => `Moving to ${f.location.city()}`, (f) => `relocating to ${f.location.state()} for work`, () => 'Moved out of the area', () => 'new job in another city'],
  injury_health: [() => 'Knee surgery, doctor says no gym for months', () => 'back injury', () => 'Pregnancy', () => 'Health reasons'],
  not_using: [() => 'Not using it enough', () => "haven't been in months", () => 'No time to come anymore', () => 'just not going'],
  dissatisfied: [() => 'Classes always full', () => 'Equipment often broken', () => 'Too crowded in the evenings', () => 'unhappy with the changing rooms'],
  schedule: [() => 'Class times do not fit my shifts', () => 'Work schedule changed', () => 'Opening hours too short'],
  switched_gym: [(f) => `Joining ${f.company.name()} gym near work`, () => 'Switched to a climbing gym', () => 'going to crossfit instead'],
  other: [() => 'Personal reasons', () => '', () => 'n/a', () => 'Family situation changed', () => 'Taking a break for a while'],
};

/** Writes the member's row image as the CRM exports it (full row on every change). */
export function membershipRecord(m: Member, eventId: string, type: string, status: string, days: Day[], updatedAt: string, previousPlan: string | null): string {
  const joinDate = m.joinDay >= 0 ? days[m.joinDay].date : new Date(days[0].utcMidnightMs + m.joinDay * 86400000).toISOString().slice(0, 10);
  return JSON.stringify({
    event_id: eventId,
    event_type: type,
    member_id: m.id,
    first_name: m.firstName,
    last_name: m.lastName,
    email: m.email,
    phone: m.phone,
    address: m.address,
    city: m.city,
    state: m.state,
    zip: m.zip,
    birth_date: m.birthDate,
    home_club: `C${String(m.club + 1).padStart(2, '0')}`,
    join_date: joinDate,
    plan: PLANS[m.plan].code,
    previous_plan: previousPlan,
    billing_cycle: m.annual ? 'annual' : 'monthly',
    price: m.price,
    status,
    updated_at: updatedAt,
  });
}

/** Emits membership, cancellation, catalog and schedule records. */
export class Lifecycle {
  private readonly eventSeq: IdSequence;
  private readonly cancelSeq: IdSequence;

  constructor(
    private readonly rng: Rng,
    private readonly faker: Faker,
    private readonly sink: LandingSink,
    private readonly ts: TimestampWriter,
    private readonly days: Day[],
    at: ChainPosition,
  ) {
    this.eventSeq = new IdSequence(at);
    this.cancelSeq = new IdSequence(at);
  }

  membership(m: Member, day: Day, type: string, status: string, seconds: number, previousPlan: string | null = null): void {
    const id = `ME${String(this.eventSeq.next()).padStart(9, '0')}`;
    const at = this.ts.write('memberships', 'iso', day, seconds, id);
    this.sink.push('memberships', day.index, membershipRecord(m, id, type, status, this.days, at, previousPlan), id);
  }

  /** Moves the member one rung up or down the plan ladder. */
  changePlan(m: Member, day: Day, down: boolean): boolean {
    const rung = PLAN_LADDER.indexOf(PLANS[m.plan].code);
    const next = down ? rung - 1 : rung + 1;
    if (next < 0 || next >= PLAN_LADDER.length) return false;
    const previous = PLANS[m.plan].code;
    m.plan = PLANS.findIndex((p) => p.code === PLAN_LADDER[next]);
    m.price = m.annual ? PLANS[m.plan].annual : PLANS[m.plan].monthly;
    this.membership(m, day, down ? 'plan_downgraded' : 'plan_upgraded', 'active', 8 * 3600 + this.rng.int(12 * 3600), previous);
    return true;
  }

  cancellation(m: Member, day: Day, reason: CancelReason): void {
    const id = `X${String(this.cancelSeq.next()).padStart(8, '0')}`;
    const at = this.ts.write('cancellations', 'iso', day, 7 * 3600 + this.rng.int(14 * 3600), id);
    const texts = TEXTS[reason];
    const text = texts[this.rng.int(texts.length)](this.faker);
    const record = {
      cancellation_id: id,
      member_id: m.id,
      requested_at: at,
      effective_date: this.days[Math.min(m.endDay, this.days.length - 1)].date,
      reason_category: reason,
      reason_text: text,
      channel: CANCEL_CHANNELS[this.rng.int(CANCEL_CHANNELS.length)],
    };
    if (m.endDay >= this.days.length) record.effective_date = new Date(this.days[0].utcMidnightMs + m.endDay * 86400000).toISOString().slice(0, 10);
    this.sink.push('cancellations', day.index, JSON.stringify(record), id);
  }

  catalog(day: Day): void {
    for (const p of PRODUCTS) {
      const record = {
        sku: p.sku,
        name: p.name,
        category: p.category,
        price: p.price,
        legacy_codes: p.legacyCodes,
        known_aliases: p.knownTypos,
        updated_at: this.ts.write('products', 'iso', day, 4 * 3600, p.sku),
      };
      this.sink.push('products', day.index, JSON.stringify(record), p.sku);
    }
  }

  sessions(clubs: Club[], day: Day): void {
    for (const club of clubs) {
      club.timetable[day.dow].forEach((slot, i) => {
        const id = `${club.id}-${day.date.replace(/-/g, '')}-${String(i + 1).padStart(2, '0')}`;
        const inst = club.instructors[slot.instructor];
        const record = {
          session_id: id,
          club_id: club.id,
          class_type: CLASS_TYPES[slot.classType].code,
          instructor_id: inst.id,
          instructor_name: inst.name,
          room: slot.room,
          start_time: this.ts.write('class_sessions', 'iso', day, slot.start, id),
          duration_min: CLASS_TYPES[slot.classType].minutes,
          capacity: slot.capacity,
        };
        this.sink.push('class_sessions', day.index, JSON.stringify(record), id);
      });
    }
  }
}

