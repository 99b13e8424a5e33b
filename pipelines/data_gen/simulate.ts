import type { Faker } from '@faker-js/faker';
import { ActivityEmitter, CLASS_ACTIVITY } from './activity';
import { PLANS, PRODUCTS } from './catalog';
import type { Day } from './calendar';
import type { Club } from './clubs';
import { TimestampWriter, type DirtLog } from './dirt';
import { cancelReason, churnProbability, Lifecycle } from './lifecycle';
import { IdSequence, type ChainPosition } from './ids';
import { createMember, type Member } from './members';
import type { GeneratorOptions } from './options';
import type { Rng } from './rng';
import type { LandingSink } from './sink';
import type { Truth } from './truth';

const DOW_FACTOR = [0.72, 1.22, 1.15, 1.1, 1.04, 0.88, 0.84];
const WALK_IN_WEIGHTS = Float64Array.from(PRODUCTS.map((p) => (p.category === 'juice_bar' ? 0.5 : p.category === 'snacks' ? 0.3 : p.category === 'supplements' ? 0.05 : 0.02) / 6));

/**
 * The behavioural simulation of one club, day by day: joins, monthly churn draws from a latent
 * hazard, shocks, plan changes, and each member's visits, classes, machines, facilities, shopping,
 * app and wearable. Clubs share nothing while they run, so they can run on any thread.
 */
export class Simulation {
  readonly members: Member[] = [];
  private active: Member[] = [];
  private readonly goals = new Map<number, { active: boolean }>();
  private readonly ts: TimestampWriter;
  private readonly life: Lifecycle;
  private readonly act: ActivityEmitter;
  private readonly memberIdx: IdSequence;
  private readonly at: ChainPosition;

  constructor(
    private readonly opts: GeneratorOptions,
    private readonly days: Day[],
    private readonly clubs: Club[],
    private readonly club: Club,
    /** Members of this club on the first day. */
    private readonly initialMembers: number,
    private readonly rng: Rng,
    private readonly faker: Faker,
    sink: LandingSink,
    dirt: DirtLog,
    private readonly truth: Truth,
  ) {
    this.at = { club: club.idx, clubs: clubs.length };
    this.memberIdx = new IdSequence(this.at);
    this.ts = new TimestampWriter(rng.fork(1), opts.dirt, dirt);
    this.life = new Lifecycle(rng.fork(3), faker, sink, this.ts, days, this.at);
    this.act = new ActivityEmitter(rng.fork(4), opts.dirt, sink, this.ts, dirt, truth, clubs, opts.days - 1, this.at);
  }

  /** The members on the books on the first day (and, for the first club, the product catalog). */
  start(): void {
    const day0 = this.days[0];
    if (this.club.idx === 0) this.life.catalog(day0);
    for (let i = 0; i < this.initialMembers; i++) {
      const m = this.newMember(-1 - Math.min(1825, Math.floor(this.rng.exponential(540))));
      m.visitsThisMonth = this.rng.poisson(m.habitualMonthly);
      this.life.membership(m, day0, 'snapshot', 'active', 5 * 3600);
    }
  }

  /** Simulates one day; the day's records are in the sink, under their delivery days. */
  day(day: Day): void {
    if (day.index === 0 || day.dayOfMonth === 1) this.monthStart(day);
    this.endMemberships(day);
    this.joins(day);
    this.life.sessions([this.club], day);
    this.act.startDay(day, this.days[0].utcMidnightMs);
    const n = this.active.length;
    const offset = n > 0 ? (day.index * 7919) % n : 0;
    for (let k = 0; k < n; k++) this.memberDay(this.active[(k + offset) % n], day);
    this.walkIns(day);
  }

  private newMember(joinDay: number): Member {
    const m = createMember(this.memberIdx.next() - 1, joinDay, this.club.idx, this.days[0].year, this.rng, this.faker);
    m.habitualMonthly = 30 * this.visitRate(m);
    this.members.push(m);
    this.active.push(m);
    return m;
  }

  private visitRate(m: Member): number {
    return (0.35 + 4.6 * Math.pow(m.motivation, 1.4)) / 7;
  }

  private monthStart(day: Day): void {
    const d = day.index;
    const daysInMonth = new Date(Date.UTC(day.year, day.month + 1, 0)).getUTCDate();
    for (const m of this.active) {
      if (m.joinDay >= d) continue;
      m.visitsLastMonth = m.visitsThisMonth;
      m.appLastMonth = m.appThisMonth;
      m.visitsThisMonth = 0;
      m.appThisMonth = 0;
      m.habitualMonthly = 0.75 * m.habitualMonthly + 0.25 * m.visitsLastMonth;
      m.motivation = Math.min(0.98, Math.max(0.02, m.motivation + this.rng.normal(0, 0.07) + 0.04 * (0.45 - m.motivation)));
      if (m.movedDay === Infinity && this.rng.chance(0.004)) m.movedDay = d + this.rng.int(daysInMonth);
      if (this.rng.chance(0.012)) m.injuredUntil = d + 14 + this.rng.int(45);
      if (m.requestDay !== Infinity) continue;
      if (this.rng.chance(0.02 * m.priceSensitivity)) {
        if (this.life.changePlan(m, this.days[d], true)) m.downgradeDay = d;
      } else if (this.rng.chance(0.008 * m.motivation)) this.life.changePlan(m, this.days[d], false);
      this.drawChurn(m, day);
    }
  }

  private drawChurn(m: Member, day: Day): void {
    const d = day.index;
    const p = churnProbability(m, d);
    const churned = this.rng.chance(p);
    if (churned) {
      m.requestDay = d + this.rng.int(21);
      m.endDay = m.requestDay + 2 + this.rng.int(6);
    }
    if (d + 27 < this.opts.days) this.truth.churnRow(m, day.date, p, churned, churned ? this.days[m.endDay].date : '');
  }

  private joins(day: Day): void {
    if (day.closed) return;
    const n = this.rng.poisson(((this.initialMembers * 0.036) / 30) * day.joinSeason);
    for (let i = 0; i < n; i++) {
      const m = this.newMember(day.index);
      this.life.membership(m, day, 'joined', 'active', 6 * 3600 + this.rng.int(15 * 3600));
    }
  }

  private memberDay(m: Member, day: Day): void {
    const d = day.index;
    if (m.joinDay >= d) return;
    if (m.requestDay === d) this.life.cancellation(m, day, cancelReason(m, d, this.rng));
    let p = day.closed ? 0 : this.visitRate(m) * day.season * DOW_FACTOR[day.dow] * (day.holiday ? 0.6 : 1);
    if (d - m.joinDay < 60) p *= 1.3;
    if (m.injuredUntil > d) p *= 0.15;
    if (m.movedDay <= d) p *= 0.03;
    if (m.requestDay <= d) p *= 0.4;
    p = Math.min(0.95, p);
    this.act.expectedSupplementUnits(m.retailWeights, p, day);
    let activity = CLASS_ACTIVITY[0];
    let visited = false;
    if (this.rng.chance(p)) {
      visited = true;
      m.visitsThisMonth++;
      activity = this.visit(m, day);
    }
    const goal = this.goals.get(m.idx) ?? { active: false };
    if (m.appUser && m.movedDay > d && this.rng.chance((0.03 + 0.3 * m.appEngagement * (0.5 + m.motivation)) * (m.requestDay <= d ? 0.5 : 1))) {
      m.appThisMonth++;
      this.act.appSession(m, day, visited, goal);
      this.goals.set(m.idx, goal);
    }
    if (m.wearable >= 0 && this.rng.chance(0.9)) {
      if (!visited) activity = this.rng.chance(0.55) ? m.outdoorActivity : 'walking';
      this.act.wearable(m, day, activity);
    }
  }

  private visit(m: Member, day: Day): (typeof CLASS_ACTIVITY)[number] {
    let at = this.act.arrival(m, day, PLANS[m.plan].offPeakOnly === true);
    let activity: (typeof CLASS_ACTIVITY)[number] = 'gym_workout';
    let tookClass = false;
    if (this.rng.chance(m.classPropensity)) {
      const c = this.act.classVisit(m, day, at);
      if (c) {
        tookClass = true;
        at = c.at + 3600;
        activity = CLASS_ACTIVITY[c.classType];
      }
    }
    if (!tookClass || this.rng.chance(0.25)) at += this.act.equipment(m, day, at);
    if (this.rng.chance(0.28)) this.act.facility(m, day, at);
    this.act.retail(m, m.club, day, at + 300, m.retailWeights);
    return activity;
  }

  private walkIns(day: Day): void {
    if (day.closed) return;
    this.act.expectedSupplementUnits(WALK_IN_WEIGHTS, 3 * day.season, day);
    const n = this.rng.poisson(3 * day.season);
    for (let i = 0; i < n; i++) this.act.retail(null, this.club.idx, day, 7 * 3600 + this.rng.int(13 * 3600), WALK_IN_WEIGHTS);
  }

  /** On the effective date, before opening, the CRM marks the membership cancelled. */
  private endMemberships(day: Day): void {
    const ending = this.active.filter((m) => m.endDay === day.index);
    for (const m of ending) this.life.membership(m, day, 'cancelled', 'cancelled', 3 * 3600 + this.rng.int(3600));
    if (ending.length > 0) this.active = this.active.filter((m) => m.endDay > day.index);
  }
}
