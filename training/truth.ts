import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { RowShape } from '../core/row_shape';

const CHUNK = 8 << 20;

/** Calls `onLine` for each line of a file, read a chunk at a time (a truth file at `large` is longer than a string may be). */
function forEachLine(path: string, onLine: (line: string) => void): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    let rest = '';
    for (let n = readSync(fd, buf, 0, CHUNK, null); n > 0; n = readSync(fd, buf, 0, CHUNK, null)) {
      const lines = (rest + buf.toString('utf8', 0, n)).split('\n');
      rest = lines.pop()!;
      for (const l of lines) onLine(l);
    }
    if (rest !== '') onLine(rest);
  } finally {
    closeSync(fd);
  }
}

/**
 * The synthetic generator's ground truth (`<lakehouse>/_truth/`), used only to report how close a
 * model gets to the truth; never to fit. Real gyms have no such folder and these return null.
 * `keep`: only the rows it accepts are returned (the file is streamed, never held whole).
 */
export function readTruthCsv(lakehouse: string, file: string, keep: (row: Record<string, string>) => boolean = () => true): Record<string, string>[] | null {
  const path = join(lakehouse, '_truth', file);
  if (!existsSync(path)) return null;
  let shape: RowShape | null = null;
  const rows: Record<string, string>[] = [];
  forEachLine(path, (line) => {
    if (shape === null) shape = new RowShape(line.split(','));
    else if (line !== '') {
      const v = line.split(',');
      const row = shape.row((i) => v[i] ?? '') as Record<string, string>;
      if (keep(row)) rows.push(row);
    }
  });
  return rows;
}

/** The generator's monthly churn probabilities keyed by `member_id|YYYY-MM-DD` (only `members`' when given). */
export function truthChurnProbabilities(lakehouse: string, members?: ReadonlySet<string>): Map<string, number> | null {
  const rows = readTruthCsv(lakehouse, 'churn_monthly.csv', members ? (r) => members.has(r.member_id) : undefined);
  return rows && new Map(rows.map((r) => [`${r.member_id}|${r.snapshot_date}`, Number(r.churn_probability)]));
}
