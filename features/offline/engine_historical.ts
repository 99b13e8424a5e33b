import { join } from 'node:path';
import { ValidationError } from '../../core/errors';
import type { Engine } from '../../pipelines/engine/engine';
import { sqlIdent } from '../../pipelines/sql/quote';
import { ttlMs } from '../define';
import type { ViewSelection } from '../refs';
import { enginePitSql } from './engine_pit_sql';
import { parquetFields } from './parquet_footer';
import type { PitSpec } from './pit_sql';

/** One offline table read by a request: its files, and the features of the selected views it holds. */
export interface TablePick {
  /** The selected views stored in it (for messages). */
  views: string[];
  files: string[];
  spec: Omit<PitSpec, 'files'>;
}

/** Where a view's rows are: its table's name and files, and whether they are a verified daily grid. */
export type TableLocator = (view: string) => { table: string; files: string[]; dailyGridZone?: string };

/**
 * The selections grouped by the table holding them, so views stored together are probed once; each
 * feature keeps its output name (`names`, in selection order) and its view's TTL (none: `ignoreTtl`).
 */
export function pickTables(selections: ViewSelection[], names: string[], locate: TableLocator, ignoreTtl: boolean): TablePick[] {
  const picks = new Map<string, TablePick>();
  let offset = 0;
  for (const s of selections) {
    const at = locate(s.view.name);
    const pick = picks.get(at.table) ?? { views: [], files: at.files, spec: { key: s.entity.joinKey, dailyGridZone: at.dailyGridZone, features: [], names: [], ttls: [] } };
    pick.views.push(s.view.name);
    for (const f of s.features) {
      pick.spec.features.push(f);
      pick.spec.names.push(names[offset++]);
      pick.spec.ttls.push(ignoreTtl ? 0 : ttlMs(s.view.ttl));
    }
    picks.set(at.table, pick);
  }
  return [...picks.values()];
}

/** The output columns in `names` order, each from the part (`p<i>`, i the pick's index) that computed it. */
export function pickColumns(picks: TablePick[], names: string[]): string[] {
  const partOf = new Map(picks.flatMap((p, i) => p.spec.names.map((n) => [n, i] as const)));
  return names.map((n) => `p${partOf.get(n)}.${sqlIdent(n)}`);
}

/**
 * A point-in-time training set on any engine: the entity SQL's rows (over the lakehouse tables
 * registered on `engine`), each with every selected view's features, written as one Parquet file
 * `<scratch>/historical.parquet` in a deterministic order — event_timestamp, then the views' join
 * keys, then the entity's other columns — so every engine gives the same file. Returns the file and
 * its columns.
 */
export async function historicalOnEngine(engine: Engine, entitySql: string, views: TablePick[], names: string[], scratch: string, tag: string): Promise<{ path: string; columns: string[] }> {
  const raw = join(scratch, 'entities.parquet');
  await engine.writeParquet(entitySql, raw);
  const entityCols = (await parquetFields(raw)).map((f) => f.name);
  if (!entityCols.includes('event_timestamp')) throw new ValidationError('the entity query returns no event_timestamp column', 'event_timestamp');
  for (const v of views) {
    if (!entityCols.includes(v.spec.key)) throw new ValidationError(`entity rows lack the join key "${v.spec.key}" of view ${v.views[0]}`, v.spec.key);
  }
  const keys = [...new Set(views.map((v) => v.spec.key))];
  const order = ['event_timestamp', ...keys, ...entityCols.filter((c) => c !== 'event_timestamp' && !keys.includes(c))].map(sqlIdent);
  const ent = `_fitlake_entities_${tag}`;
  await engine.registerParquet(`${ent}_raw`, [raw]);
  const numbered = join(scratch, 'numbered.parquet');
  await engine.writeParquet(`SELECT row_number() OVER (ORDER BY ${order.join(', ')}) AS _row_id, * FROM ${ent}_raw`, numbered);
  await engine.registerParquet(ent, [numbered]);
  const parts: string[] = [];
  const select = pickColumns(views, names);
  for (const [i, v] of views.entries()) {
    const source = `_fitlake_view_${tag}_${i}`;
    await engine.registerParquet(source, v.files);
    parts.push(`p${i} AS (${enginePitSql({ ...v.spec, files: v.files }, source, ent, `_${i}`)})`);
  }
  const joins = views.map((_, i) => `LEFT JOIN p${i} ON p${i}._row_id = e._row_id`).join('\n');
  const path = join(scratch, 'historical.parquet');
  const sql = `WITH ${parts.join(',\n')}\nSELECT ${entityCols.map((c) => `e.${sqlIdent(c)}`).join(', ')}${select.length ? ', ' : ''}${select.join(', ')} FROM ${ent} e\n${joins}\nORDER BY e._row_id`;
  await engine.writeParquet(views.length ? sql : `SELECT ${entityCols.map(sqlIdent).join(', ')} FROM ${ent} ORDER BY _row_id`, path);
  return { path, columns: [...entityCols, ...names] };
}
