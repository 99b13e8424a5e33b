import { UnavailableError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { EntityReader } from '../features/online/entity_reader';
import type { ChurnModel } from '../training/churn/model';
import type { ForecastModel } from '../training/forecast/model';
import { checkLakehouse, loadModelVersion } from '../training/loaders';
import { Recommender } from '../training/recommend/model';
import type { ModelVersion, RunTracker } from '../training/tracking/run_tracker';

/** The registered models the API serves, by registry name. */
export const SERVED = ['churn', 'recommender-classes', 'recommender-products', 'supplement-forecast'] as const;
export type ServedName = (typeof SERVED)[number];

export interface Served<T> {
  name: ServedName;
  version: string;
  alias: string;
  runId: string;
  model: T;
}

/** One consistent, immutable set of loaded models; a reload builds a new set and swaps the reference. */
export interface ModelSet {
  churn?: Served<ChurnModel> & { reader: EntityReader };
  recommenders: { classes?: Served<Recommender>; products?: Served<Recommender> };
  forecast?: Served<ForecastModel>;
  loadedAt: string;
  /** Why a model is not being served (not registered yet, failed to load). */
  errors: Partial<Record<ServedName, string>>;
}

export interface ModelManagerDeps {
  tracker: RunTracker;
  /** Throws when the registry no longer declares a model's features (the model is then refused). */
  checkDeclared?: (refs: string[], trainedOn: string) => void;
  /** The online reader for a model's feature references; throws when they are not served (the model is then refused). */
  readerFor: (refs: string[], trainedOn: string) => EntityReader;
  logger: Logger;
  alias?: string;
  /** The served lakehouse's identity: a version trained on another lakehouse is refused. */
  lakehouseId?: string;
  /** Runs before each poll and admin reload (e.g. the online store picking up a new materialization). */
  beforeReload?: () => void;
  /** Runs after each refresh of the stores with its error, or null (e.g. a metric). */
  onRefresh?: (error: string | null) => void;
  /** Runs after a new set is swapped in (e.g. the model-info metric). */
  onSwap?: (set: ModelSet) => void;
}

/** The set's churn model, or a 503 saying why it is not served. */
export function servedChurn(set: ModelSet): NonNullable<ModelSet['churn']> {
  if (!set.churn) throw new UnavailableError(`churn model not loaded: ${set.errors.churn ?? 'loading'}`);
  return set.churn;
}

/** The set's forecast model, or a 503 saying why it is not served. */
export function servedForecast(set: ModelSet): NonNullable<ModelSet['forecast']> {
  if (!set.forecast) throw new UnavailableError(`supplement-forecast not loaded: ${set.errors['supplement-forecast'] ?? 'loading'}`);
  return set.forecast;
}

/** Each served name's loaded model in a set (undefined when not loaded). */
export function byName(set: ModelSet): Record<ServedName, Served<unknown> | undefined> {
  return { churn: set.churn, 'recommender-classes': set.recommenders.classes, 'recommender-products': set.recommenders.products, 'supplement-forecast': set.forecast };
}

/** One line per served model: version, alias, run, load error (what /models, /readyz and metrics show). */
export function servedList(set: ModelSet) {
  const by = byName(set);
  return SERVED.map((name) => ({ name, version: by[name]?.version ?? null, alias: by[name]?.alias ?? null, run_id: by[name]?.runId ?? null, error: set.errors[name] ?? null }));
}

const served = <T>(name: ServedName, v: ModelVersion, alias: string, model: T): Served<T> => ({ name, version: v.version, alias, runId: v.runId, model });

const trainedOnText = (a: { featureService?: string; registryVersion?: number }) => `feature service ${a.featureService ?? '?'}${a.registryVersion ? ` of registry v${a.registryVersion}` : ''}`;

/**
 * Loads the `champion` of each served model and swaps in new versions when the alias moves.
 * In-flight requests keep the set they started with, so a swap never drops or mixes a request.
 */
export class ModelManager {
  private set: ModelSet = { recommenders: {}, loadedAt: new Date(0).toISOString(), errors: {} };
  private timer: NodeJS.Timeout | null = null;
  private reloading: Promise<string[]> | null = null;
  private refreshError: string | null = null;
  readonly alias: string;

  constructor(private readonly deps: ModelManagerDeps) {
    this.alias = deps.alias ?? 'champion';
  }

  current(): ModelSet {
    return this.set;
  }

  private async loadOne(next: ModelSet, name: ServedName, v: ModelVersion): Promise<void> {
    const tracker = this.deps.tracker;
    if (name === 'churn') {
      const artifact = await loadModelVersion(tracker, v, 'churn');
      next.churn = { ...served(name, v, this.alias, artifact), reader: this.deps.readerFor(artifact.features, trainedOnText(artifact)) };
    } else if (name === 'supplement-forecast') {
      next.forecast = served(name, v, this.alias, this.declared(await loadModelVersion(tracker, v, 'forecast')));
    } else {
      const rec = new Recommender(this.declared(await loadModelVersion(tracker, v, 'recommender')));
      next.recommenders = { ...next.recommenders, [rec.model.target]: served(name, v, this.alias, rec) };
    }
  }

  /** The artifact, once the registry is checked to still declare the features it records (older artifacts record none). */
  private declared<T extends { features?: string[]; featureService?: string; registryVersion?: number }>(artifact: T): T {
    if (artifact.features?.length) this.deps.checkDeclared?.(artifact.features, trainedOnText(artifact));
    return artifact;
  }

  /** Checks every alias; loads what moved; swaps the set once. Returns the names that changed. Concurrent calls share one reload. */
  reload(): Promise<string[]> {
    this.refreshStores();
    this.reloading ??= this.doReload().finally(() => (this.reloading = null));
    return this.reloading;
  }

  /** Why the last refresh of the stores failed (the API serves what it loaded before), or null. */
  storeError(): string | null {
    return this.refreshError;
  }

  /** Runs `beforeReload`; a failure is kept and logged, never thrown: the API goes on with what it has. */
  private refreshStores(): void {
    try {
      this.deps.beforeReload?.();
      this.refreshError = null;
    } catch (e) {
      const message = (e as Error).message;
      if (message !== this.refreshError) this.deps.logger.error({ err: message }, 'refreshing the stores failed; serving the values loaded before');
      this.refreshError = message;
    }
    this.deps.onRefresh?.(this.refreshError);
  }

  private async doReload(): Promise<string[]> {
    const next: ModelSet = { ...this.set, recommenders: { ...this.set.recommenders }, errors: { ...this.set.errors } };
    const changed: string[] = [];
    for (const name of SERVED) {
      try {
        const v = await this.deps.tracker.getVersionByAlias(name, this.alias);
        if (!v) {
          next.errors[name] = `no "${this.alias}" version registered yet (run npm run train)`;
          continue;
        }
        if (v.version === byName(this.set)[name]?.version) continue;
        if (this.deps.lakehouseId) checkLakehouse(v, this.deps.lakehouseId);
        await this.loadOne(next, name, v);
        delete next.errors[name];
        changed.push(`${name}@${v.version}`);
      } catch (e) {
        next.errors[name] = (e as Error).message;
        this.deps.logger.warn({ model: name, err: (e as Error).message }, 'model load failed; keeping the version in service');
      }
    }
    if (changed.length) {
      next.loadedAt = new Date().toISOString();
      this.set = next;
      this.deps.onSwap?.(next);
      this.deps.logger.info({ changed }, 'models swapped in');
    } else this.set = { ...this.set, errors: next.errors };
    return changed;
  }

  /** Polls the aliases every `intervalMs` (0: never). */
  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.reload().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
