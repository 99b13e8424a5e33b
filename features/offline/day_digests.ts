import { z } from 'zod';
import type { Engine } from '../../pipelines/engine/engine';
import { sqlIdent } from '../../pipelines/sql/quote';
import { parquetFields } from './parquet_footer';

/** Per day (YYYY-MM-DD) of one input, its rows' count and content hash: `"<rows>:<hash>"`. */
export type DayDigests = Record<string, string>;

/** A day sorting before every real day: where rows without a day are counted. */
const NO_DAY = '0000-00-00';

/**
 * What a group table's build read, kept beside the table (`state-<version>.json`): the hash of the
 * group's definition and each input's per-day digests. An incremental build compares against it.
 */
export const GroupStateSchema = z
  .object({
    version: z.number().int().min(1),
    definition: z.string(),
    digests: z.record(z.string(), z.record(z.string(), z.string())),
  })
  .strict();
export type GroupState = z.infer<typeof GroupStateSchema>;

/**
 * The per-day digests of Parquet `files` registered as `name`, days from column `day` (none: one
 * digest of every row, under the key `all`): row count and the XOR of row hashes (floating columns
 * rounded to 6 decimals, so a sum added up in another order hashes the same). Columns named
 * `_fitlake_*` (bucketing helpers) are left out.
 */
export async function dayDigests(engine: Engine, name: string, files: string[], day?: string): Promise<DayDigests> {
  const fields = (await parquetFields(files[0])).filter((f) => !f.name.startsWith('_fitlake'));
  const cols = fields.map((f) => (f.type === 'DOUBLE' || f.type === 'FLOAT' ? `round(${sqlIdent(f.name)}, 6)` : sqlIdent(f.name)));
  await engine.registerParquet(name, files);
  const rows = await engine.query<{ day: string | null; n: number; h: string }>(
    `SELECT ${day ? `CAST(${sqlIdent(day)} AS STRING)` : `'all'`} AS day, count(*) AS n, CAST(bit_xor(hash(${cols.join(', ')})) AS STRING) AS h FROM ${sqlIdent(name)} GROUP BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.day ?? NO_DAY, `${Number(r.n)}:${r.h}`]));
}

/** The first day whose digest differs between two builds (null when every day is the same). */
export function firstChangedDay(before: DayDigests, after: DayDigests): string | null {
  let first: string | null = null;
  for (const d of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[d] !== after[d] && (first === null || d < first)) first = d;
  }
  return first;
}
