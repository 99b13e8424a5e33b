import type { Entity, FeatureView } from '../define';
import type { Definitions } from '../definitions';
import { windowColumns } from './source_sql';

/**
 * One offline table: the views that share an entity and a daily spine, stored together as one wide
 * table (key, feature_ts, created_ts, feature_month, then every view's features), so a training set
 * probes one table instead of one per view. A streaming view, or a view whose column names collide
 * with its group's, is a table of its own.
 */
export interface TableGroup {
  /** The table's name in the offline layer: the spine's for a spine group, else the view's. */
  table: string;
  /** The spine every row comes from (absent: a streaming view's own table). */
  spine?: string;
  /** The entity's join key. */
  key: string;
  views: FeatureView[];
}

/** Columns every table has besides the features. */
export const TABLE_COLUMNS = ['feature_ts', 'created_ts', 'feature_month'];

/** The names a view puts in its group's namespace: its features and, for windowed views, its window columns. */
function namesOf(view: FeatureView): string[] {
  return [...view.schema.map((f) => f.name), ...windowColumns(view)];
}

/**
 * The tables of a set of definitions: views with a spine grouped by (spine, entity) in declaration
 * order, each joining the first group of its spine whose names it does not collide with.
 */
export function planGroups(defs: Pick<Definitions, 'views' | 'entities'>): TableGroup[] {
  const entities = new Map<string, Entity>(defs.entities.map((e) => [e.name, e]));
  const groups: (TableGroup & { names: Set<string> })[] = [];
  for (const view of defs.views) {
    const key = entities.get(view.entities[0])!.joinKey;
    const spine = 'spine' in view.source ? view.source.spine : undefined;
    const names = namesOf(view);
    const reserved = new Set([key, 'date', ...TABLE_COLUMNS]);
    const fits = (g: TableGroup & { names: Set<string> }) => g.spine === spine && g.key === key && !names.some((n) => g.names.has(n));
    const group = spine && !names.some((n) => reserved.has(n)) ? groups.find(fits) : undefined;
    if (group) {
      group.views.push(view);
      for (const n of names) group.names.add(n);
    } else {
      const table = spine && !groups.some((g) => g.table === spine) ? spine : view.name;
      groups.push({ table, spine, key, views: [view], names: new Set(names) });
    }
  }
  return groups.map(({ names: _names, ...g }) => g);
}

/** The group holding a view (undefined when the view is not declared). */
export function groupOf(groups: readonly TableGroup[], view: string): TableGroup | undefined {
  return groups.find((g) => g.views.some((v) => v.name === view));
}
