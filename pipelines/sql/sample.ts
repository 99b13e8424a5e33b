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
  return `substr(md5(CAST(${column} AS VARCHAR)), 1, 8) < '${bound}'`;
}

/** The share of keys to keep so that about `max` of `total` rows remain (1 when they all fit). */
export function shareFor(total: number, max: number): number {
  return total <= max ? 1 : max / total;
}
