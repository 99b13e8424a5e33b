import { rmSync } from 'node:fs';
import { sqlIdent } from '../../pipelines/sql/quote';
import { keyBucket } from '../../pipelines/sql/sample';
import type { Engine } from '../../pipelines/engine/engine';
import type { Entity, FeatureView } from '../define';
import { viewSql } from './source_sql';

/** Spine rows per bucket by default: a view whose spine has more is built a bucket of keys at a time. */
export const DEFAULT_ROWS_PER_BUCKET = 10_000_000;

/** How many buckets of keys a view with `spineRows` spine rows is built in (1 to 64). */
export function bucketsFor(spineRows: number, rowsPerBucket: number): number {
  return Math.max(1, Math.min(64, Math.ceil(spineRows / rowsPerBucket)));
}

/** The name a spine's full table is registered under while views read one bucket of it. */
export const allRows = (spine: string) => `${spine}__all`;

/** Points the spine's name at one bucket of its rows (or at all of them: bucket `TRUE`). */
async function selectSpine(engine: Engine, spine: string, bucket: string): Promise<void> {
  await engine.execute(`CREATE OR REPLACE TEMP VIEW ${sqlIdent(spine)} AS SELECT * FROM ${sqlIdent(allRows(spine))} WHERE ${bucket}`);
}

/**
 * Writes a view's offline table, in `buckets` files when more than one: each bucket holds the rows
 * of the keys whose MD5 falls in it, computed from that bucket's spine rows and facts only, so the
 * engine sorts and windows a bucket at a time. Each file is sorted by key, feature_ts, created_ts.
 * Returns the paths written and the rows; on failure removes what it wrote.
 */
export async function writeViewTable(
  engine: Engine,
  spec: { view: FeatureView; entities: Map<string, Entity>; key: string; buckets: number; path: string },
): Promise<{ paths: string[]; rows: number }> {
  const { view, entities, key, buckets, path } = spec;
  const spine = view.source.spine;
  const paths: string[] = [];
  let rows = 0;
  try {
    for (let b = 0; b < buckets; b++) {
      const bucket = keyBucket(sqlIdent(key), b, buckets);
      if (spine) await selectSpine(engine, spine, bucket);
      const out = buckets === 1 ? path : path.replace(/\.parquet$/, `-${b}.parquet`);
      paths.push(out);
      rows += await engine.writeParquet(`${viewSql(view, entities, bucket)}\nORDER BY ${sqlIdent(key)}, feature_ts, created_ts`, out);
    }
    return { paths, rows };
  } catch (e) {
    for (const p of paths) rmSync(p, { force: true });
    throw e;
  } finally {
    if (spine) await selectSpine(engine, spine, 'TRUE');
  }
}
