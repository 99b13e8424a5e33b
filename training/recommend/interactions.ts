import { addDays, localDay } from '../../core/dates';
import { DataError } from '../../core/errors';
import type { Row } from '../../pipelines/engine/duckdb/db';
import { shareFor } from '../../pipelines/sql/sample';
import type { TrainContext } from '../trained';

export type RecommenderTarget = 'classes' | 'products';

/** The feature service each recommender trains on: an events view of interactions and the member's home club. */
export const RECOMMENDER_SERVICES: Record<RecommenderTarget, string> = { classes: 'recommend_classes', products: 'recommend_products' };

/** One member × item × day interaction (attended a weekly class slot, bought a product). */
export interface Interaction {
  member: string;
  item: string;
  day: string;
  weight: number;
  /** The local day it became known (landed the day before); absent: the day after `day`. A model trained at a day's start saw only what was known by then. */
  known?: string;
}

/** Whether an interaction had become known by the start of `day`. */
export const knownBy = (r: Interaction, day: string): boolean => (r.known ?? addDays(r.day, 1)) <= day;

export interface Catalog {
  id: string;
  label: string;
  /** The class type or product category (truth affinities and reasons are per group). */
  group: string;
}

const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/** A weekly class slot's id: club, class type, local weekday (0 = Sunday) and start time. */
export function slotId(club: string, type: string, weekday: number, startMinute: number): string {
  return `${club}:${type}:${weekday}:${pad(Math.floor(startMinute / 60))}:${pad(startMinute % 60)}`;
}

function label(target: RecommenderTarget, item: string, name?: string): string {
  if (target === 'products') return name ?? item;
  const [club, type, dow, ...time] = item.split(':');
  return `${type} · ${DOW[Number(dow)] ?? dow} ${time.join(':')} · ${club}`;
}

/** Interactions summed per (member, item, day, day known) in (day, member, item) order, and the items' groups and names. */
function fromEvents(target: RecommenderTarget, events: Row[], timeZone: string): { interactions: Interaction[]; items: Map<string, { group: string; name?: string }> } {
  const cells = new Map<string, Interaction>();
  const items = new Map<string, { group: string; name?: string }>();
  for (const e of events) {
    const item = target === 'classes' ? slotId(String(e.club_id), String(e.class_type), Number(e.weekday), Number(e.start_minute)) : String(e.sku);
    if (!items.has(item)) items.set(item, target === 'classes' ? { group: String(e.class_type) } : { group: String(e.category), name: String(e.product_name) });
    const weight = target === 'classes' ? 1 : Number(e.units);
    const member = String(e.member_id);
    const day = String(e.day);
    const known = localDay(e.created_ts as Date, timeZone);
    if (target === 'classes') {
      cells.set(`${cells.size}`, { member, item, day, weight, known });
      continue;
    }
    const k = `${member}\u0000${item}\u0000${day}\u0000${known}`;
    const cell = cells.get(k);
    if (cell) cell.weight += weight;
    else cells.set(k, { member, item, day, weight, known });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const interactions = [...cells.values()].sort((a, b) => cmp(a.day, b.day) || cmp(a.member, b.member) || cmp(a.item, b.item));
  return { interactions, items };
}

/**
 * Interactions, the item catalog and each member's home club, through the feature store: every
 * event of the target's service known at `asOf`, and the home club point in time at `asOf` (the
 * latest known, whatever its age). Above `maxInteractions`, a deterministic sample of members (all
 * of a member's interactions or none) is read, so memory stays bounded whatever the chain's size.
 */
export async function loadInteractions(
  ctx: Pick<TrainContext, 'store' | 'timezone'>,
  target: RecommenderTarget,
  asOf: Date,
  maxInteractions: number,
): Promise<{ interactions: Interaction[]; catalog: Catalog[]; homeClub: Map<string, string>; memberShare: number }> {
  const service = RECOMMENDER_SERVICES[target];
  const events = await ctx.store.getEvents({ service }, asOf);
  const memberShare = shareFor(await events.count(), maxInteractions);
  const { interactions, items } = fromEvents(target, await events.rows({ keyShare: memberShare }), ctx.timezone);
  if (interactions.length === 0) throw new DataError(`no ${target} interactions known at ${asOf.toISOString()} in feature service ${service}; run the pipeline first`);
  const catalog = [...items].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([id, it]) => ({ id, label: label(target, id, it.name), group: it.group }));
  const members = [...new Set(interactions.map((r) => r.member))];
  const set = await ctx.store.getHistoricalFeatures({ rows: members.map((m) => ({ member_id: m, event_timestamp: asOf.toISOString() })) }, { service }, { ignoreTtl: true });
  try {
    const clubs = await set.rows();
    return { interactions, catalog, homeClub: new Map(clubs.flatMap((r) => (r.home_club == null ? [] : [[String(r.member_id), String(r.home_club)]]))), memberShare };
  } finally {
    await set.close();
  }
}
