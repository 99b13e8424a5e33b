import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors';
import type { Engine } from '../../pipelines/engine/engine';
import { sqlIdent } from '../../pipelines/sql/quote';
import type { ViewSelection } from '../refs';
import { enginePitSql } from './engine_pit_sql';
import type { PitSpec } from './pit_sql';

/** One selected view: where its offline table is and how to join it. */
export interface EngineView {
  selection: ViewSelection;
  files: string[];
  spec: Omit<PitSpec, 'files'>;
}

/** Column names of a Parquet file, from its footer. */
async function parquetColumns(path: string): Promise<string[]> {
  const { parquetMetadata } = await import('hyparquet');
  const buf = readFileSync(path);
  const meta = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return meta.schema.slice(1).filter((e) => e.num_children === undefined).map((e) => e.name);
}

/**
 * A point-in-time training set on any engine: the entity SQL's rows (over the lakehouse tables
 * registered on `engine`), each with every selected view's features, written as one Parquet file
 * `<scratch>/historical.parquet` in a deterministic order — event_timestamp, then the views' join
 * keys, then the entity's other columns — so every engine gives the same file. Returns the file and
 * its columns.
 */
export async function historicalOnEngine(engine: Engine, entitySql: string, views: EngineView[], scratch: string, tag: string): Promise<{ path: string; columns: string[] }> {
  const raw = join(scratch, 'entities.parquet');
  await engine.writeParquet(entitySql, raw);
  const entityCols = await parquetColumns(raw);
  if (!entityCols.includes('event_timestamp')) throw new ValidationError('the entity query returns no event_timestamp column', 'event_timestamp');
  for (const v of views) {
    if (!entityCols.includes(v.selection.entity.joinKey)) throw new ValidationError(`entity rows lack the join key "${v.selection.entity.joinKey}" of view ${v.selection.view.name}`, v.selection.entity.joinKey);
  }
  const keys = [...new Set(views.map((v) => v.selection.entity.joinKey))];
  const order = ['event_timestamp', ...keys, ...entityCols.filter((c) => c !== 'event_timestamp' && !keys.includes(c))].map(sqlIdent);
  const ent = `_fitlake_entities_${tag}`;
  await engine.registerParquet(`${ent}_raw`, [raw]);
  const numbered = join(scratch, 'numbered.parquet');
  await engine.writeParquet(`SELECT row_number() OVER (ORDER BY ${order.join(', ')}) AS _row_id, * FROM ${ent}_raw`, numbered);
  await engine.registerParquet(ent, [numbered]);
  const parts: string[] = [];
  const select: string[] = [];
  for (const [i, v] of views.entries()) {
    const source = `_fitlake_view_${tag}_${i}`;
    await engine.registerParquet(source, v.files);
    parts.push(`p${i} AS (${enginePitSql({ ...v.spec, files: v.files }, source, ent, `_${i}`)})`);
    select.push(...v.spec.names.map((n) => `p${i}.${sqlIdent(n)}`));
  }
  const joins = views.map((_, i) => `LEFT JOIN p${i} ON p${i}._row_id = e._row_id`).join('\n');
  const path = join(scratch, 'historical.parquet');
  const sql = `WITH ${parts.join(',\n')}\nSELECT ${entityCols.map((c) => `e.${sqlIdent(c)}`).join(', ')}${select.length ? ', ' : ''}${select.join(', ')} FROM ${ent} e\n${joins}\nORDER BY e._row_id`;
  await engine.writeParquet(views.length ? sql : `SELECT ${entityCols.map(sqlIdent).join(', ')} FROM ${ent} ORDER BY _row_id`, path);
  return { path, columns: [...entityCols, ...views.flatMap((v) => v.spec.names)] };
}
