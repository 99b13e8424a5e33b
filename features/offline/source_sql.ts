import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureView } from '../define';

export const SOURCES_DIR = join(__dirname, '..', 'sources');

/** The SQL of a file in features/sources/, without its comment header. */
export function sourceFileSql(file: string): string {
  return readFileSync(join(SOURCES_DIR, `${file}.sql`), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('--'))
    .join('\n')
    .trim();
}

/** Columns a windowed source provides to feature exprs: `<measure>_<n>d` and `last_<measure>_date`. */
export function windowColumns(view: FeatureView): string[] {
  if (view.source.kind !== 'windowed') return [];
  const sums = Object.entries(view.source.sums).flatMap(([m, ws]) => ws.map((w) => `${m}_${w}d`));
  return [...sums, ...view.source.lastDates.map((m) => `last_${m}_date`)];
}
