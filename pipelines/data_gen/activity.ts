import { ACTIVITY_PROFILE, APP_DEVICES, APP_VERSIONS, CLASS_TYPES, FACILITIES, MACHINES, PAYMENT_METHODS, PRODUCTS, WEARABLE_DEVICES, type ActivityType } from './catalog';
import type { Day } from './calendar';
import type { Club } from './clubs';
import { skuVariant, type DirtLog, type TimestampWriter } from './dirt';
import { IdSequence, type ChainPosition } from './ids';
import type { Member } from './members';
import type { DirtRates } from './options';
import type { Rng } from './rng';
import type { LandingSink } from './sink';
import { SUPPLEMENTS, type Truth } from './truth';

const OPEN = 5 * 3600;
const CLOSE = 22 * 3600 + 30 * 60;
const GOALS = ['weight_loss', 'strength', 'endurance', 'flexibility', 'consistency'];
const STRENGTH = MACHINES.filter((x) => x.kind === 'strength');
const CARDIO = MACHINES.filter((x) => x.kind === 'cardio');
const N_PRODUCTS = PRODUCTS.length;
/** Share of machine sessions the connected machines log (the member tapped a key fob). */
const LOGGED = 0.6;

/** Emits the records of one member's day (visit, class, machines, facility, shop, app, wearable). */
export class ActivityEmitter {
  private readonly seq: Record<'scan' | 'usage' | 'fac' | 'txn' | 'app' | 'appSession', IdSequence>;
  private sessionNo = 0;
  /** Per club, per today's slot: check-ins so far. */
  fill: Int16Array[] = [];
  private multipliers = new Float64Array(PRODUCTS.length);
  private readonly scratch = new Float64Array(PRODUCTS.length);
  private readonly slotWeights = new Float64Array(64);

  constructor(
    private readonly rng: Rng,
    private readonly rates: DirtRates,
    private readonly sink: LandingSink,
    private readonly ts: TimestampWriter,
    private readonly dirt: DirtLog,
    private readonly truth: Truth,
    private readonly clubs: Club[],
    private readonly lastDay: number,
    at: ChainPosition,
  ) {
    const seq = () => new IdSequence(at);
    this.seq = { scan: seq(), usage: seq(), fac: seq(), txn: seq(), app: seq(), appSession: seq() };
  }

  startDay(day: Day, startYearMs: number): void {
    this.fill = this.clubs.map((c) => new Int16Array(c.timetable[day.dow].length));
    const years = (day.utcMidnightMs - startYearMs) / (365.25 * 86400000);
    PRODUCTS.forEach((p, i) => {
      this.multipliers[i] = p.trend === undefined ? 1 : Math.max(0.05, (1 + p.trend * years) * (1 + (p.seasonality ?? 0) * Math.cos((2 * Math.PI * (day.dayOfYear - 15)) / 365.25)));
    });
  }

  /** Where an event lands: today's file, or a later one for late arrivals (logged). */
  private fileDay(feed: string, d: number, id: string): number {
    if (d < this.lastDay && this.rng.chance(this.rates.lateArrival)) {
      const lag = Math.min(1 + this.rng.int(10), this.lastDay - d);
      this.dirt.add('late_arrival', feed, id, `${lag} days`);
      return d + lag;
    }
    return d;
  }

  /** At the dirt rate, a member id the gym never issued (all issued ids are below M9000000). */
  private orphanId(): string | null {
    return this.rng.chance(this.rates.orphanMember) ? `M9${String(this.rng.int(1_000_000)).padStart(6, '0')}` : null;
  }

  private orphan(feed: string, id: string): string | null {
    const fake = this.orphanId();
    if (fake) this.dirt.add('orphan_member', feed, id, fake);
    return fake;
  }

  /** Adds the expected supplement units of `visits` expected visits with these purchase weights. */
  expectedSupplementUnits(weights: Float64Array, visits: number, day: Day): void {
    const row = day.index * SUPPLEMENTS.length;
    for (let k = 0; k < SUPPLEMENTS.length; k++) {
      const i = SUPPLEMENTS[k].i;
      this.truth.expectedDaily[row + k] += visits * weights[i] * this.multipliers[i] * 1.12;
    }
  }

  arrival(m: Member, day: Day, offPeakOnly: boolean): number {
    const weekend = day.dow === 0 || day.dow === 6;
    let hour: number;
    if (weekend) hour = this.rng.normal(10.5, 1.8);
    else {
      const slot = offPeakOnly && this.rng.chance(0.85) ? 1 : this.rng.weighted(m.timeHabit, 1);
      hour = slot === 0 ? this.rng.normal(6.8, 1) : slot === 1 ? this.rng.normal(12.3, 1.1) : this.rng.normal(18.2, 1.3);
    }
    return Math.min(CLOSE - 3600, Math.max(OPEN, Math.round(hour * 3600)));
  }

  /** A class check-in near `arrival`, if the member wants one and a seat is free; returns its time. */
  classVisit(m: Member, day: Day, arrival: number): { at: number; classType: number } | null {
    const club = this.clubs[m.club];
    const slots = club.timetable[day.dow];
    const fill = this.fill[m.club];
    const weights = this.slotWeights.subarray(0, slots.length);
    let total = 0;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      weights[i] = fill[i] >= s.capacity ? 0 : m.classAffinity[s.classType] * Math.exp(-Math.abs(s.start - arrival) / 3600);
      total += weights[i];
    }
    if (total < 1e-6) return null;
    const i = this.rng.weighted(weights, total);
    fill[i]++;
    const slot = slots[i];
    const at = Math.max(OPEN - 900, slot.start - 60 - this.rng.int(840));
    const sessionId = `${club.id}-${day.date.replace(/-/g, '')}-${String(i + 1).padStart(2, '0')}`;
    const booked = m.appUser && this.rng.chance(0.55);
    if (booked) this.appEvent(m, day, Math.max(OPEN, at - 3600 - this.rng.int(8 * 3600)), 'class_booked', `{"session_id":"${sessionId}","class_type":"${CLASS_TYPES[slot.classType].code}"}`);
    this.scan(m, day, at, sessionId, club.id, booked ? 'app' : 'walk_in');
    if (this.rng.chance(this.rates.doubleScan)) {
      const dupId = this.scan(m, day, at + 2 + this.rng.int(29), sessionId, club.id, booked ? 'app' : 'walk_in', true);
      this.dirt.add('double_scan', 'class_checkins', dupId);
    }
    return { at, classType: slot.classType };
  }

  private scan(m: Member, day: Day, at: number, sessionId: string, clubId: string, source: string, duplicate = false): string {
    const id = `S${String(this.seq.scan.next()).padStart(9, '0')}`;
    const ts = this.ts.write('class_checkins', 'iso', day, at, id);
    const line = (member: string, rid: string) =>
      `{"scan_id":"${rid}","member_id":"${member}","session_id":"${sessionId}","club_id":"${clubId}","scanned_at":"${ts}","booking_source":"${source}","device_id":"${clubId}-GATE-${1 + (at % 3)}"}`;
    this.sink.push('class_checkins', this.fileDay('class_checkins', day.index, id), line(m.id, id), id);
    if (!duplicate) {
      const o = this.orphanId();
      if (o) {
        const oid = `S${String(this.seq.scan.next()).padStart(9, '0')}`;
        this.sink.push('class_checkins', day.index, line(o, oid), oid);
        this.dirt.add('orphan_member', 'class_checkins', oid, o);
      }
    }
    return id;
  }

  /** Machines on the gym floor; returns seconds spent. */
  equipment(m: Member, day: Day, start: number): number {
    const n = 1 + Math.min(3, this.rng.poisson(0.2 + 1.2 * m.motivation));
    const club = this.clubs[m.club].id;
    let t = start;
    for (let k = 0; k < n; k++) {
      const strength = this.rng.chance(m.strengthBias);
      const pool = strength ? STRENGTH : CARDIO;
      const machine = pool[this.rng.int(pool.length)];
      const at = t;
      let duration: number;
      let sets = '';
      let reps = '';
      let weight = '';
      if (strength) {
        const s = 2 + this.rng.int(4);
        duration = s * (60 + this.rng.int(60));
        sets = String(s);
        reps = String(6 + this.rng.int(10));
        weight = (Math.round(m.weightKg * this.rng.range(0.3, 1.2) * 2) / 2).toFixed(1);
      } else duration = 600 + this.rng.int(2400);
      t += duration + 60 + this.rng.int(240);
      if (!this.rng.chance(LOGGED)) continue;
      const id = `E${String(this.seq.usage.next()).padStart(9, '0')}`;
      if (this.rng.chance(this.rates.outOfRange)) {
        if (strength && this.rng.chance(0.7)) reps = this.rng.chance(0.5) ? '0' : '10000';
        else duration = -duration;
        this.dirt.add('out_of_range', 'equipment_usage', id, duration < 0 ? 'negative duration' : `reps ${reps}`);
      }
      const member = this.orphan('equipment_usage', id) ?? m.id;
      const machineId = `${club}-${machine.code.toUpperCase()}-${String(1 + this.rng.int(3)).padStart(2, '0')}`;
      const ts = this.ts.write('equipment_usage', 'epoch_ms', day, Math.min(86399, at), id);
      this.sink.push('equipment_usage', this.fileDay('equipment_usage', day.index, id), `${id},${machineId},${machine.code},${club},${member},${ts},${duration},${sets},${reps},${weight}`, id);
    }
    return t - start;
  }

  facility(m: Member, day: Day, at: number): void {
    const f = FACILITIES[this.rng.weighted(m.facilityAffinity, 1)];
    const id = `F${String(this.seq.fac.next()).padStart(9, '0')}`;
    let minutes = Math.max(1, Math.round(this.rng.exponential(f.meanMinutes * 0.6) + f.meanMinutes * 0.4));
    if (this.rng.chance(this.rates.outOfRange)) {
      minutes = -minutes;
      this.dirt.add('out_of_range', 'facility_usage', id, 'negative duration');
    }
    const member = this.orphan('facility_usage', id) ?? m.id;
    const ts = this.ts.write('facility_usage', 'iso', day, Math.min(86399, at), id);
    this.sink.push('facility_usage', this.fileDay('facility_usage', day.index, id), `{"usage_id":"${id}","member_id":"${member}","club_id":"${this.clubs[m.club].id}","facility":"${f.code}","started_at":"${ts}","duration_min":${minutes}}`, id);
  }

  /** Shop purchases during a visit: Poisson items by affinity × seasonal demand. */
  retail(m: Member | null, clubIdx: number, day: Day, at: number, weights: Float64Array): void {
    let lambda = 0;
    const w = this.scratch;
    for (let i = 0; i < N_PRODUCTS; i++) {
      w[i] = weights[i] * this.multipliers[i];
      lambda += w[i];
    }
    const items = this.rng.poisson(lambda);
    if (items === 0) return;
    const txn = `T${String(this.seq.txn.next()).padStart(9, '0')}`;
    const club = this.clubs[clubIdx].id;
    const member = m ? (this.orphan('retail_sales', txn) ?? m.id) : '';
    const ts = this.ts.write('retail_sales', 'us_local', day, Math.min(86399, at), txn);
    const pay = m && this.rng.chance(0.2) ? 'member_account' : PAYMENT_METHODS[this.rng.int(PAYMENT_METHODS.length - 1)];
    const fileDay = this.fileDay('retail_sales', day.index, txn);
    for (let line = 1; line <= items; line++) {
      const p = PRODUCTS[this.rng.weighted(w, lambda)];
      const qty = this.rng.chance(0.12) ? 2 : 1;
      const k = SUPPLEMENTS.findIndex((s) => s.p.sku === p.sku);
      if (k >= 0) this.truth.actualDaily[day.index * SUPPLEMENTS.length + k] += qty;
      let sku = p.sku;
      if (this.rng.chance(this.rates.unknownSku)) {
        sku = `X${this.rng.int(100000)}`;
        this.dirt.add('unknown_sku', 'retail_sales', `${txn}#${line}`, `${sku}|${p.sku}`);
      } else if (this.rng.chance(this.rates.skuVariant)) {
        sku = skuVariant(this.rng, p.sku, p.legacyCodes[0], p.knownTypos[0]);
        this.dirt.add('sku_variant', 'retail_sales', `${txn}#${line}`, `${sku}|${p.sku}`);
      }
      this.sink.push('retail_sales', fileDay, `${txn},${line},${ts},${club},${member},${sku},${qty},${p.price.toFixed(2)},${pay}`, `${txn}#${line}`);
    }
  }

  appSession(m: Member, day: Day, visited: boolean, goal: { active: boolean }): void {
    const start = OPEN + 3600 + this.rng.int(15 * 3600);
    this.sessionNo = this.seq.appSession.next();
    this.appEvent(m, day, start, 'app_open', '{}');
    let t = start;
    const n = this.rng.poisson(1.2);
    for (let k = 0; k < n; k++) {
      t += 20 + this.rng.int(240);
      const r = this.rng.next();
      if (r < 0.45) this.appEvent(m, day, t, 'calendar_viewed', '{}');
      else if (r < 0.6 && visited) this.appEvent(m, day, t, 'workout_logged', `{"minutes":${20 + this.rng.int(70)}}`);
      else if (r < 0.75 && !goal.active) {
        goal.active = true;
        this.appEvent(m, day, t, 'goal_set', `{"goal_type":"${GOALS[this.rng.int(GOALS.length)]}"}`);
      } else if (r < 0.9 && goal.active) this.appEvent(m, day, t, 'goal_updated', `{"progress_pct":${this.rng.int(100)}}`);
      else if (goal.active && this.rng.chance(0.3 + 0.5 * m.motivation)) {
        goal.active = false;
        this.appEvent(m, day, t, 'goal_achieved', '{}');
      } else this.appEvent(m, day, t, 'class_schedule_viewed', '{}');
    }
  }

  private appEvent(m: Member, day: Day, at: number, type: string, props: string): void {
    const id = `A${String(this.seq.app.next()).padStart(10, '0')}`;
    const dev = APP_DEVICES[m.appDevice];
    const version = APP_VERSIONS[Math.min(APP_VERSIONS.length - 1, Math.floor((day.index / 70 + (m.idx % 3)) % APP_VERSIONS.length))];
    const member = this.orphan('app_events', id) ?? m.id;
    const ts = this.ts.write('app_events', 'epoch_ms', day, Math.min(86399, at), id);
    this.sink.push(
      'app_events',
      this.fileDay('app_events', day.index, id),
      `{"event_id":"${id}","app_session_id":"AS${this.sessionNo}","member_id":"${member}","event_type":"${type}","occurred_at":${/^\d+$/.test(ts) ? ts : `"${ts}"`},"device":"${dev.device}","os":"${dev.os}","app_version":"${version}","properties":${props}}`,
      id,
    );
  }

  wearable(m: Member, day: Day, activity: ActivityType): void {
    const prof = ACTIVITY_PROFILE[activity];
    const steps = Math.max(300, Math.round(this.rng.normal(prof.steps[0], prof.steps[1])));
    const kcal = Math.round(m.weightKg * Math.max(18, this.rng.normal(prof.kcalPerKg[0], prof.kcalPerKg[1])));
    const hr = Math.round(Math.min(175, Math.max(55, this.rng.normal(prof.hr[0], prof.hr[1]))));
    const sleep = Math.min(11, Math.max(3, this.rng.normal(7.1, 1))).toFixed(1);
    const id = `${m.id}@${day.date}`;
    this.sink.push(
      'wearables',
      this.fileDay('wearables', day.index, id),
      `{"member_id":"${m.id}","activity_date":"${day.date}","device":"${WEARABLE_DEVICES[m.wearable]}","steps":${steps},"calories_burned":${kcal},"avg_heart_rate":${hr},"sleep_hours":${sleep},"activity_type":"${activity}"}`,
      id,
    );
  }
}

export const CLASS_ACTIVITY = CLASS_TYPES.map((c) => c.activity);
