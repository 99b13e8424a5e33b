import { addDays, isoToEpochDay } from '../../core/dates';
import type { Interaction } from './interactions';

/** Per member: item index → score. */
export type MemberScores = Map<string, Map<number, number>>;

/** Popularity (distinct members in the `days` before `until`) overall and per home club. */
export function popularity(rows: Interaction[], itemIndex: Map<string, number>, homeClub: Map<string, string>, until: string, days: number) {
  const from = addDays(until, -days);
  const sets = new Map<string, Set<string>[]>();
  const bump = (key: string, j: number, m: string) => {
    const s = sets.get(key) ?? Array.from({ length: itemIndex.size }, () => new Set<string>());
    s[j].add(m);
    sets.set(key, s);
  };
  for (const r of rows) {
    if (r.day < from || r.day >= until) continue;
    const j = itemIndex.get(r.item)!;
    bump('*', j, r.member);
    const club = homeClub.get(r.member);
    if (club) bump(club, j, r.member);
  }
  const counts = (key: string) => (sets.get(key) ?? []).map((s) => s.size).concat(sets.has(key) ? [] : new Array<number>(itemIndex.size).fill(0));
  return { global: counts('*'), byClub: Object.fromEntries([...sets.keys()].filter((k) => k !== '*').sort().map((k) => [k, counts(k)])) };
}

/**
 * The member's own history as of `until`: each interaction before it weighs `weight × ½^(age / halfLifeDays)`
 * (recency and frequency in one number: the "most attended slots" / "buy again" baseline and signal).
 */
export function repeatScores(rows: Interaction[], itemIndex: Map<string, number>, until: string, halfLifeDays: number): MemberScores {
  const out: MemberScores = new Map();
  const end = isoToEpochDay(until);
  for (const r of rows) {
    if (r.day >= until) continue;
    const j = itemIndex.get(r.item)!;
    const m = out.get(r.member) ?? new Map<number, number>();
    m.set(j, (m.get(j) ?? 0) + r.weight * 0.5 ** ((end - isoToEpochDay(r.day)) / halfLifeDays));
    out.set(r.member, m);
  }
  return out;
}

/** The own-history baseline's scores: the member's decayed history, then popularity at their club for the rest. */
export function ownHistory(history: Iterable<[number, number]> | undefined, club: readonly number[]): Float64Array {
  const max = Math.max(1, ...club);
  const out = Float64Array.from(club, (v) => (1e-6 * v) / max);
  if (history) for (const [j, v] of history) out[j] += v;
  return out;
}
