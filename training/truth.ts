import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The synthetic generator's ground truth (`<lakehouse>/_truth/`), used only to report how close a
 * model gets to the truth; never to fit. Real gyms have no such folder and these return null.
 */
export function readTruthCsv(lakehouse: string, file: string): Record<string, string>[] | null {
  const path = join(lakehouse, '_truth', file);
  if (!existsSync(path)) return null;
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const cols = head.split(',');
  return lines.map((l) => {
    const v = l.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, v[i] ?? '']));
  });
}

/** The generator's monthly churn probabilities keyed by `member_id|YYYY-MM-DD`. */
export function truthChurnProbabilities(lakehouse: string): Map<string, number> | null {
  const rows = readTruthCsv(lakehouse, 'churn_monthly.csv');
  return rows && new Map(rows.map((r) => [`${r.member_id}|${r.snapshot_date}`, Number(r.churn_probability)]));
}
