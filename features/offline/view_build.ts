import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sqlIdent } from '../../pipelines/sql/quote';
import { hashBucket, md5Prefix } from '../../pipelines/sql/sample';
import type { Engine } from '../../pipelines/engine/engine';
import type { Entity, FeatureView } from '../define';
import { sourceFileSql, viewSql } from './source_sql';

/** Spine rows per bucket by default: a view whose spine has more is built a bucket of keys at a time. */
export const DEFAULT_ROWS_PER_BUCKET = 10_000_000;
/** The column holding a key's MD5 prefix in spines and facts written for a bucketed build. */
const HASH = '_fitlake_key_md5';

/** How many buckets of keys a view with `spineRows` spine rows is built in (1 to 64). */
export function bucketsFor(spineRows: number, rowsPerBucket: number): number {
  return Math.max(1, Math.min(64, Math.ceil(spineRows / rowsPerBucket)));
}

const allRows = (spine: string) => `${spine}__all`;

/** Points the spine's name at one bucket of its rows (or at all of them: `TRUE`). */
async function selectSpine(engine: Engine, spine: string, where: string): Promise<void> {
  await engine.execute(`CREATE OR REPLACE TEMP VIEW ${sqlIdent(spine)} AS SELECT * FROM ${sqlIdent(allRows(spine))} WHERE ${where}`);
}

/** Writes `sql`'s rows with their key's MD5 prefix, sorted by it, so a bucket's rows share row groups. */
async function writeHashed(engine: Engine, sql: string, key: string, path: string): Promise<void> {
  await engine.writeParquet(`SELECT *, ${md5Prefix(sqlIdent(key))} AS ${HASH} FROM (${sql}) AS rows_to_hash ORDER BY ${HASH}`, path);
}

/**
 * Writes each spine into `scratch` and registers it under its name; returns the buckets each
 * spine's views are built in. A spine with more than `rowsPerBucket` rows is written with its key's
 * MD5 prefix, sorted by it, so each bucket reads only its own row groups.
 */
export async function prepareSpines(engine: Engine, spines: { name: string; key?: string }[], scratch: string, rowsPerBucket: number): Promise<Map<string, number>> {
  const buckets = new Map<string, number>();
  for (const { name, key } of spines) {
    const file = join(scratch, `${name}.parquet`);
    const rows = await engine.writeParquet(sourceFileSql(name), file);
    const n = key ? bucketsFor(rows, rowsPerBucket) : 1;
    if (n > 1) {
      await engine.registerParquet(`${name}__raw`, [file]);
      await writeHashed(engine, `SELECT * FROM ${sqlIdent(`${name}__raw`)}`, key!, join(scratch, `${name}.hashed.parquet`));
    }
    await engine.registerParquet(allRows(name), [join(scratch, n > 1 ? `${name}.hashed.parquet` : `${name}.parquet`)]);
    await selectSpine(engine, name, 'TRUE');
    buckets.set(name, n);
  }
  return buckets;
}

/**
 * Writes a view's offline table, in `buckets` files when more than one: each bucket holds the rows
 * of the keys whose MD5 falls in it, computed from that bucket's spine rows and facts only (facts
 * written once, with their keys' MD5 prefix), so the engine sorts and windows a bucket at a time.
 * Each file is sorted by key, feature_ts, created_ts. Returns the paths written and the rows; on
 * failure removes what it wrote.
 */
export async function writeViewTable(
  engine: Engine,
  spec: { view: FeatureView; entities: Map<string, Entity>; key: string; buckets: number; path: string; scratch: string },
): Promise<{ paths: string[]; rows: number }> {
  const { view, entities, key, buckets, path } = spec;
  const spine = 'spine' in view.source ? view.source.spine : undefined;
  const order = `\nORDER BY ${sqlIdent(key)}, feature_ts, created_ts`;
  if (buckets === 1 || !spine) return { paths: [path], rows: await engine.writeParquet(viewSql(view, entities, { asof: engine.asofJoin }) + order, path) };
  const factsTable = `${view.name}__facts`;
  if (view.source.kind === 'windowed') {
    const factsFile = join(spec.scratch, `${factsTable}.parquet`);
    await writeHashed(engine, sourceFileSql(view.source.file), key, factsFile);
    await engine.registerParquet(factsTable, [factsFile]);
  }
  const paths: string[] = [];
  let rows = 0;
  try {
    for (let b = 0; b < buckets; b++) {
      const where = hashBucket(HASH, b, buckets);
      await selectSpine(engine, spine, where);
      const out = path.replace(/\.parquet$/, `-${b}.parquet`);
      paths.push(out);
      rows += await engine.writeParquet(viewSql(view, entities, { asof: engine.asofJoin, facts: view.source.kind === 'windowed' ? { table: factsTable, where } : undefined }) + order, out);
    }
    return { paths, rows };
  } catch (e) {
    for (const p of paths) rmSync(p, { force: true });
    throw e;
  } finally {
    await selectSpine(engine, spine, 'TRUE');
  }
}
