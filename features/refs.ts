import { NotFoundError, ValidationError } from '../core/errors';
import type { Entity, Feature, FeatureView } from './define';
import type { Definitions } from './definitions';

/** Features of one view that a request asked for, in request order. */
export interface ViewSelection {
  view: FeatureView;
  entity: Entity;
  features: Feature[];
}

/** What to retrieve: feature refs (`view:feature`, or `view` for all of it) or a feature service. */
export type FeatureRequest = { features: readonly string[] } | { service: string };

/** Resolves a request against the definitions, grouped by view. Unknown names fail, naming the ref. */
export function resolveFeatures(defs: Definitions, request: FeatureRequest): ViewSelection[] {
  let refs: readonly string[];
  let field: string;
  if ('service' in request) {
    const service = defs.services.find((s) => s.name === request.service);
    if (!service) throw new NotFoundError(`unknown feature service "${request.service}" (known: ${defs.services.map((s) => s.name).join(', ')})`, 'service');
    refs = service.features;
    field = 'service';
  } else {
    refs = request.features;
    field = 'features';
  }
  if (refs.length === 0) throw new ValidationError('no features requested', field);
  const out = new Map<string, ViewSelection>();
  for (const ref of refs) {
    const [viewName, featureName, extra] = ref.split(':');
    const view = defs.views.find((v) => v.name === viewName);
    if (!view || extra !== undefined) {
      throw new ValidationError(`unknown feature ref "${ref}": expected "view:feature" or "view" with view one of ${defs.views.map((v) => v.name).join(', ')}`, field);
    }
    const picked = featureName === undefined ? view.schema : view.schema.filter((f) => f.name === featureName);
    if (picked.length === 0) throw new ValidationError(`unknown feature ref "${ref}": view ${view.name} has no feature "${featureName}"`, field);
    const entity = defs.entities.find((e) => e.name === view.entities[0])!;
    const sel = out.get(view.name) ?? { view, entity, features: [] };
    for (const f of picked) if (!sel.features.includes(f)) sel.features.push(f);
    out.set(view.name, sel);
  }
  return [...out.values()];
}

/** Output column names: the feature's name, or `view__feature` when asked for (Feast's full names). */
export function outputNames(selections: ViewSelection[], fullNames: boolean): string[] {
  const names = selections.flatMap((s) => s.features.map((f) => (fullNames ? `${s.view.name}__${f.name}` : f.name)));
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new ValidationError(`feature name "${n}" appears in two views: ask for full feature names`, 'features');
    seen.add(n);
  }
  return names;
}
