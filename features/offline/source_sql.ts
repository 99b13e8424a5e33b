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

/** One column a windowed source provides to feature exprs: a trailing sum `<m>_<w>d` or a latest date `last_<m>_date`. */
export interface WindowMeasure {
  /** The fact column it reads. */
  m: string;
  /** Its column name. */
  col: string;
  /** Window in days (absent: a latest date). */
  w?: number;
}

/** The columns a windowed source provides to feature exprs, sums first (none for other views). */
export function windowMeasures(view: FeatureView): WindowMeasure[] {
  if (view.source.kind !== 'windowed') return [];
  const sums = Object.entries(view.source.sums).flatMap(([m, ws]) => ws.map((w) => ({ m, col: `${m}_${w}d`, w })));
  return [...sums, ...view.source.lastDates.map((m) => ({ m, col: `last_${m}_date` }))];
}

/** The names of `windowMeasures`. */
export function windowColumns(view: FeatureView): string[] {
  return windowMeasures(view).map((c) => c.col);
}
