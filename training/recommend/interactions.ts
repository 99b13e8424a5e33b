import type { Engine } from '../../pipelines/engine/engine';
import { sqlString } from '../../pipelines/sql/quote';
import { keySample } from '../../pipelines/sql/sample';
import { memberShareFor } from '../lake';
import { DataError } from '../../core/errors';

export type RecommenderTarget = 'classes' | 'products';

/** One member × item × day interaction (attended a weekly class slot, bought a product). */
export interface Interaction {
  member: string;
  item: string;
  day: string;
  weight: number;
}

export interface Catalog {
  id: string;
  label: string;
  /** The class type or product category (truth affinities and reasons are per group). */
  group: string;
}

const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Items are weekly class slots (club, class type, local weekday and start time) or SKUs. */
function interactionSql(target: RecommenderTarget, tz: string): string {
  const local = (col: string) => `timezone(${sqlString(tz)}, ${col})`;
  if (target === 'classes') {
    return `SELECT c.member_id AS member, concat_ws(':', d.club_id, d.class_type, dayofweek(${local('d.starts_at')}), strftime(${local('d.starts_at')}, '%H:%M')) AS item,
        strftime(${local('c.scanned_at')}, '%Y-%m-%d') AS day, 1.0 AS weight
      FROM class_checkins c JOIN dim_class_session d USING (session_id) WHERE c.member_id IS NOT NULL ORDER BY day, member, item`;
  }
  return `SELECT member_id AS member, sku AS item, strftime(sale_date, '%Y-%m-%d') AS day, sum(quantity)::DOUBLE AS weight
    FROM retail_sales WHERE member_id IS NOT NULL AND sku IS NOT NULL GROUP BY ALL ORDER BY day, member, item`;
}

function catalogSql(target: RecommenderTarget): string {
  if (target === 'classes') {
    return `SELECT DISTINCT split_part(item, ':', 2) AS grp, item FROM interactions ORDER BY item`;
  }
  return `SELECT p.category AS grp, p.sku AS item, p.name AS label FROM dim_product p WHERE p.sku IN (SELECT item FROM interactions) ORDER BY p.sku`;
}

function label(target: RecommenderTarget, item: string, name?: unknown): string {
  if (target === 'products') return String(name ?? item);
  const [club, type, dow, ...time] = item.split(':');
  return `${type} · ${DOW[Number(dow)] ?? dow} ${time.join(':')} · ${club}`;
}

/**
 * Interactions, the item catalog and each member's home club, from silver (views created by the
 * caller). Above `maxInteractions`, a deterministic sample of members (all of a member's
 * interactions or none) is read, so memory stays bounded whatever the chain's size.
 */
export async function loadInteractions(
  db: Engine,
  target: RecommenderTarget,
  tz: string,
  maxInteractions: number,
): Promise<{ interactions: Interaction[]; catalog: Catalog[]; homeClub: Map<string, string>; memberShare: number }> {
  await db.execute(`CREATE OR REPLACE TEMP TABLE interactions AS ${interactionSql(target, tz)}`);
  const memberShare = await memberShareFor(db, 'SELECT member FROM interactions', maxInteractions);
  const interactions = (await db.query(`SELECT * FROM interactions WHERE ${keySample('member', memberShare)} ORDER BY day, member, item`)).map((r) => ({ member: String(r.member), item: String(r.item), day: String(r.day), weight: Number(r.weight) }));
  if (interactions.length === 0) throw new DataError(`no ${target} interactions in silver; run the pipeline first`);
  const catalog = (await db.query(catalogSql(target))).map((r) => ({ id: String(r.item), label: label(target, String(r.item), r.label), group: String(r.grp) }));
  const clubs = await db.query(`SELECT member_id, arg_max(club_id, valid_from) AS club FROM dim_member GROUP BY member_id`);
  return { interactions, catalog, homeClub: new Map(clubs.map((r) => [String(r.member_id), String(r.club)])), memberShare };
}
