import { join } from 'node:path';
import { AtomicWriter } from '../../core/atomic_writer';
import { buildCalendar, type Day } from './calendar';
import { buildClubs, type Club } from './clubs';
import { DirtLog } from './dirt';
import { createFaker } from './members';
import type { GeneratorOptions } from './options';
import { Rng } from './rng';
import { LandingSink, type DayParts } from './sink';
import { Simulation } from './simulate';
import { AHEAD_DAYS, Truth } from './truth';

/** What a club's simulation leaves besides its landing parts and truth part files. */
export interface ClubSummary {
  club: number;
  members: number;
  dirt: Record<string, Record<string, number>>;
  expectedDaily: Float64Array;
  actualDaily: Float64Array;
}

/** The chain's clubs (names, instructors, timetables): the same on every thread for the same seed. */
export function chainClubs(opts: GeneratorOptions): Club[] {
  return buildClubs(opts.clubs, opts.members / opts.clubs, new Rng(opts.seed).fork(2), createFaker(opts.seed));
}

/** Members of club `club` on the first day: the chain's members split evenly, the first clubs taking the rest. */
export function clubMembers(opts: GeneratorOptions, club: number): number {
  return Math.floor(opts.members / opts.clubs) + (club < opts.members % opts.clubs ? 1 : 0);
}

export const partFile = (partsDir: string, name: string, club: number) => join(partsDir, `${name}-${String(club).padStart(3, '0')}.csv`);

/**
 * One club's simulation with its own random streams (seed × club), identities and record ids, and
 * its truth and dirt rows streamed to part files: its output depends on the seed and the club only,
 * never on which thread runs it or which clubs run beside it.
 */
export class ClubShard {
  private readonly sim: Simulation;
  private readonly sink: LandingSink;
  private readonly dirt: DirtLog;
  private readonly truth: Truth;
  private readonly writers: Record<'dirt' | 'churn' | 'members' | 'affinities', AtomicWriter>;
  private readonly dataDays: number;

  constructor(
    opts: GeneratorOptions,
    private readonly days: Day[],
    clubs: Club[],
    private readonly club: number,
    partsDir: string,
  ) {
    this.dataDays = opts.days;
    const w = (name: string) => new AtomicWriter(partFile(partsDir, name, club));
    this.writers = { dirt: w('dirt'), churn: w('churn'), members: w('members'), affinities: w('affinities') };
    const rng = new Rng(opts.seed).fork(1000 + club);
    this.dirt = new DirtLog(this.writers.dirt);
    this.truth = new Truth(days.length, this.writers);
    this.sink = new LandingSink(club, opts.days - 1, rng.fork(100), opts.dirt, this.dirt);
    const faker = createFaker([opts.seed, club + 1]);
    this.sim = new Simulation(opts, days, clubs, clubs[club], clubMembers(opts, club), rng.fork(200), faker, this.sink, this.dirt, this.truth);
    this.sim.start();
  }

  /** Simulates day `d` and hands over the club's part of each file delivered that day. */
  day(d: number): DayParts {
    this.sim.day(this.days[d]);
    return this.sink.flush(d);
  }

  /**
   * Writes the members' truth, then simulates the days past the data muted (no records, no dirt, no
   * truth rows) for their expected supplement demand only; closes the part files and returns the summary.
   */
  finish(): ClubSummary {
    this.truth.members(this.sim.members);
    const members = this.sim.members.length;
    this.sink.muted = true;
    this.dirt.muted = true;
    for (let d = this.dataDays; d < this.days.length; d++) this.sim.day(this.days[d]);
    for (const writer of Object.values(this.writers)) writer.commit({ durable: false });
    return { club: this.club, members, dirt: this.dirt.counts, expectedDaily: this.truth.expectedDaily, actualDaily: this.truth.actualDaily };
  }

  /** Drops the part files written so far. */
  abort(): void {
    for (const writer of Object.values(this.writers)) writer.abort();
  }
}

/** Several clubs advanced together, one day at a time, on one thread. */
export class ClubGroup {
  private readonly shards: ClubShard[];

  constructor(opts: GeneratorOptions, clubs: number[], partsDir: string) {
    const days = buildCalendar(opts.start, opts.days + AHEAD_DAYS, opts.timezone);
    const chain = chainClubs(opts);
    this.shards = clubs.map((c) => new ClubShard(opts, days, chain, c, partsDir));
  }

  day(d: number): DayParts[] {
    return this.shards.map((s) => s.day(d));
  }

  finish(): ClubSummary[] {
    return this.shards.map((s) => s.finish());
  }

  abort(): void {
    for (const s of this.shards) s.abort();
  }
}
