import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pidAlive, tempSibling } from '../../core/atomic_fs';
import { type Db, type Row } from '../../pipelines/engine/duckdb/db';
import { sqlIdent, sqlString } from '../../pipelines/sql/quote';
import type { Feature } from '../define';

/** Writes a query's rows to a Parquet file: built aside, then renamed into place. */
export async function copyToParquetAtomic(db: Db, sql: string, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    await db.run(`COPY (${sql}) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

const QUANTILES = [0.01, 0.25, 0.5, 0.75, 0.99];

/**
 * Statistics of each feature over the rows of `sql`: count, nulls, and for numbers mean, std,
 * min, max and quantiles (p01, p25, p50, p75, p99); for strings and booleans the distinct count
 * and the five most frequent values with their counts.
 */
export async function featureStatistics(db: Db, sql: string, features: Feature[]): Promise<Row[]> {
  const out: Row[] = [];
  for (const f of features) {
    const c = sqlIdent(f.name);
    if (f.type === 'int' || f.type === 'float') {
      const r = await db.one(`SELECT count(*) AS rows, count(*) - count(${c}) AS nulls, avg(${c})::DOUBLE AS mean, stddev_samp(${c})::DOUBLE AS std,
          min(${c})::DOUBLE AS min, max(${c})::DOUBLE AS max, quantile_cont(${c}, [${QUANTILES.join(', ')}]) AS q FROM (${sql})`);
      const q = (r.q as number[] | null) ?? [];
      out.push({ feature: f.name, type: f.type, rows: r.rows, nulls: r.nulls, mean: r.mean, std: r.std, min: r.min, max: r.max, ...Object.fromEntries(QUANTILES.map((p, i) => [`p${String(Math.round(p * 100)).padStart(2, '0')}`, q[i] ?? null])) });
    } else {
      const r = await db.one(`SELECT count(*) AS rows, count(*) - count(${c}) AS nulls, count(DISTINCT ${c}) AS distinct_values FROM (${sql})`);
      const top = await db.all(`SELECT ${c}::VARCHAR AS value, count(*) AS n FROM (${sql}) WHERE ${c} IS NOT NULL GROUP BY 1 ORDER BY n DESC, value LIMIT 5`);
      out.push({ feature: f.name, type: f.type, rows: r.rows, nulls: r.nulls, distinct: r.distinct_values, top: top.map((t) => ({ value: t.value, count: t.n })) });
    }
  }
  return out;
}

/**
 * A fresh scratch folder under `<lakehouse>/features/_scratch/` (inside the lakehouse, so a Spark
 * cluster sharing it sees it too), named by this process. Folders left by processes that are gone
 * (a crash) are removed first.
 */
export function scratchDir(root: string, kind: string): string {
  const base = join(root, 'features', '_scratch');
  if (existsSync(base)) {
    for (const n of readdirSync(base)) {
      const pid = Number(/^[a-z]+-(\d+)-/.exec(n)?.[1]);
      if (pid && pid !== process.pid && !pidAlive(pid)) rmSync(join(base, n), { recursive: true, force: true });
    }
  }
  const dir = join(base, `${kind}-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
