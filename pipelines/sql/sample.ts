import { ValidationError } from '../../core/errors';

/**
 * A SQL predicate keeping a deterministic share of the keys in `column` (0 < share ≤ 1): those whose
 * MD5 (lowercase hex, the same on DuckDB and Spark) starts below `share` of the hex range. The same
 * keys on every engine and every run, each key's rows all in or all out.
 */
export function keySample(column: string, share: number): string {
  if (!(share > 0 && share <= 1)) throw new ValidationError(`sample share must be in (0, 1], got ${share}`, 'share');
  if (share === 1) return 'TRUE';
  const bound = Math.max(1, Math.floor(share * 16 ** 8)).toString(16).padStart(8, '0');
  return `${md5Prefix(column)} < '${bound}'`;
}

/** The share of keys to keep so that about `max` of `total` rows remain (1 when they all fit). */
export function shareFor(total: number, max: number): number {
  return total <= max ? 1 : max / total;
}

/** The first 8 hex digits of the MD5 of `column` as text: the same on DuckDB and Spark. */
export function md5Prefix(column: string): string {
  return `substr(md5(CAST(${column} AS VARCHAR)), 1, 8)`;
}

/**
 * A SQL predicate for bucket `index` of `count` (0 ≤ index < count) over `prefix`, an 8-hex-digit
 * MD5 prefix (`md5Prefix`, or a column holding one): its share of the hex range. Buckets are
 * disjoint and cover every key.
 */
export function hashBucket(prefix: string, index: number, count: number): string {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) throw new ValidationError(`bucket ${index} of ${count} does not exist`, 'bucket');
  if (count === 1) return 'TRUE';
  const hex = (i: number) => Math.floor((i * 16 ** 8) / count).toString(16).padStart(8, '0');
  const lower = index === 0 ? [] : [`${prefix} >= '${hex(index)}'`];
  const upper = index === count - 1 ? [] : [`${prefix} < '${hex(index + 1)}'`];
  return [...lower, ...upper].join(' AND ');
}
