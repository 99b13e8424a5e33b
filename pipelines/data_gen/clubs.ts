import type { Faker } from '@faker-js/faker';
import { CLASS_TYPES } from './catalog';
import type { Rng } from './rng';

export interface Instructor {
  id: string;
  name: string;
  /** Indices into CLASS_TYPES this instructor teaches. */
  teaches: number[];
}

export interface Slot {
  /** Local start, seconds after midnight. */
  start: number;
  classType: number;
  instructor: number;
  room: string;
  capacity: number;
}

export interface Club {
  idx: number;
  id: string;
  name: string;
  instructors: Instructor[];
  /** Weekly timetable: slots per weekday (0 = Sunday). */
  timetable: Slot[][];
}

const WEEKDAY_HOURS = [6, 7, 9, 12, 17.5, 18.5, 19.5, 8, 10, 16.5, 20.5, 6.5, 11, 13, 17, 18, 19, 7.5, 12.5, 20];
const WEEKEND_HOURS = [8, 9, 10, 11, 12, 9.5, 10.5, 8.5, 13, 16, 11.5, 14];

/**
 * Builds the chain's clubs, each with instructors and a weekly timetable sized to its membership:
 * roughly one class a day for every 150 members, within 6–40 a day.
 */
export function buildClubs(count: number, membersPerClub: number, rng: Rng, faker: Faker): Club[] {
  const clubs: Club[] = [];
  let instructorSeq = 0;
  for (let c = 0; c < count; c++) {
    const perDay = Math.max(6, Math.min(40, Math.round(membersPerClub / 150)));
    const nInstructors = Math.max(4, Math.round(perDay / 2.5));
    const instructors: Instructor[] = [];
    for (let i = 0; i < nInstructors; i++) {
      instructorSeq++;
      const teaches = [rng.weighted(CLASS_TYPES.map((t) => t.popularity))];
      while (rng.chance(0.55) && teaches.length < 4) {
        const t = rng.weighted(CLASS_TYPES.map((x) => x.popularity));
        if (!teaches.includes(t)) teaches.push(t);
      }
      instructors.push({ id: `I${String(instructorSeq).padStart(4, '0')}`, name: faker.person.fullName(), teaches });
    }
    const rooms = Math.max(2, Math.ceil(perDay / 10));
    const timetable: Slot[][] = [];
    for (let dow = 0; dow < 7; dow++) {
      const weekend = dow === 0 || dow === 6;
      const n = weekend ? Math.max(4, Math.round(perDay * 0.7)) : perDay;
      const hours = weekend ? WEEKEND_HOURS : WEEKDAY_HOURS;
      const slots: Slot[] = [];
      for (let s = 0; s < n; s++) {
        const instructor = rng.int(instructors.length);
        const classType = rng.pick(instructors[instructor].teaches);
        const [lo, hi] = CLASS_TYPES[classType].capacity;
        const hour = hours[s % hours.length] + (s >= hours.length ? 0.25 * Math.floor(s / hours.length) : 0);
        slots.push({
          start: Math.round(hour * 3600),
          classType,
          instructor,
          room: `Studio ${String.fromCharCode(65 + (s % rooms))}`,
          capacity: lo + rng.int(hi - lo + 1),
        });
      }
      slots.sort((a, b) => a.start - b.start || a.room.localeCompare(b.room));
      timetable.push(slots);
    }
    clubs.push({ idx: c, id: `C${String(c + 1).padStart(2, '0')}`, name: `${faker.location.city()} Fitness`, instructors, timetable });
  }
  return clubs;
}
