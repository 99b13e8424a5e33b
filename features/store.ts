import type { Config } from '../core/config';
import { UnavailableError, ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Progress } from '../core/progress';
import { isEventsView } from './define';
import { DEFINITIONS, type Definitions } from './definitions';
import { materialize, MaterializationLog, type Materialization } from './materialize';
import { DuckDbOfflineStore } from './offline/duckdb_offline_store';
import type { BuildReport, EntitySource, EventRows, HistoricalFeatures, HistoricalOptions, OfflineStore } from './offline/offline_store';
import { EmbeddedOnlineStore } from './online/embedded_online_store';
import { EntityReader } from './online/entity_reader';
import { getOnlineFeatures, type OnlineFeatures, type OnlineStore } from './online/online_store';
import { RedisOnlineStore } from './online/redis_online_store';
import { resolveFeatures, type FeatureRequest, type ViewSelection } from './refs';
import { RegistryStore, type Registry } from './registry';

export interface FeatureStoreDeps {
  logger: Logger;
  progress?: Progress;
  /** The clock: TTLs online and materialization records read it. */
  now?: () => Date;
}

/** The online store the configuration names. */
export function createOnlineStore(config: Pick<Config, 'lakehouse' | 'features'>, env: NodeJS.ProcessEnv = process.env): OnlineStore {
  const online = config.features.online;
  switch (online.type) {
    case 'embedded':
      return EmbeddedOnlineStore.at(config.lakehouse);
    case 'redis':
      return new RedisOnlineStore({ host: online.host, port: online.port, keyPrefix: online.keyPrefix, password: env.FITLAKE_REDIS_PASSWORD });
  }
}

/** The offline store the configuration names. */
export function createOfflineStore(config: Pick<Config, 'lakehouse' | 'timezone' | 'duckdb' | 'features' | 'engine'>, logger: Logger): OfflineStore {
  switch (config.features.offline.type) {
    case 'duckdb':
      return new DuckDbOfflineStore(config.lakehouse, config, logger, config.features.offline.rowsPerBucket);
  }
}

/**
 * The feature store: the registry of declared features, the offline store (historical values,
 * point-in-time joins) and the online store (latest values for serving). Models and the API read
 * features only through it.
 */
export class FeatureStore {
  readonly registryStore: RegistryStore;
  readonly log: MaterializationLog;
  private readonly now: () => Date;
  /** Resolved requests of the current registry version (serving asks the same few again and again). */
  private resolved = { version: 0, byRequest: new Map<string, ViewSelection[]>() };

  constructor(
    readonly config: Pick<Config, 'lakehouse' | 'timezone' | 'duckdb' | 'features' | 'engine'>,
    readonly offline: OfflineStore,
    readonly online: OnlineStore,
    private readonly deps: FeatureStoreDeps,
  ) {
    this.registryStore = RegistryStore.at(config.lakehouse);
    this.log = new MaterializationLog(config.lakehouse);
    this.now = deps.now ?? (() => new Date());
  }

  static open(config: Pick<Config, 'lakehouse' | 'timezone' | 'duckdb' | 'features' | 'engine'>, deps: FeatureStoreDeps, stores: { offline?: OfflineStore; online?: OnlineStore } = {}): FeatureStore {
    return new FeatureStore(config, stores.offline ?? createOfflineStore(config, deps.logger), stores.online ?? createOnlineStore(config), deps);
  }

  /** Registers the declared features (a new registry version when they changed). */
  apply(defs: Definitions = DEFINITIONS): { registry: Registry; changed: boolean } {
    return this.registryStore.apply(defs, this.now());
  }

  /** The applied registry; a clear error when `features apply` was never run. */
  registry(): Registry {
    const r = this.registryStore.latest();
    if (!r) throw new ValidationError(`no feature registry under ${this.config.lakehouse}: run \`npm run train\` (it prepares the data, registers the features and trains) or \`fitlake features apply\` first`, 'registry');
    return r;
  }

  /** Resolves a request against the applied registry, cached per registry version. */
  resolve(request: FeatureRequest): ViewSelection[] {
    const registry = this.registry();
    if (this.resolved.version !== registry.version) this.resolved = { version: registry.version, byRequest: new Map() };
    const key = 'service' in request ? `s:${request.service}` : `f:${request.features.join(',')}`;
    let selections = this.resolved.byRequest.get(key);
    if (!selections) {
      selections = resolveFeatures(registry, request);
      if (this.resolved.byRequest.size >= 1000) this.resolved.byRequest.clear();
      this.resolved.byRequest.set(key, selections);
    }
    return selections;
  }

  /**
   * What a request reads by entity (point in time, online): a service's events views are left to
   * `getEvents`; a view named on its own is read as asked.
   */
  private stateSelections(request: FeatureRequest): ViewSelection[] {
    const all = this.resolve(request);
    if (!('service' in request)) return all;
    const states = all.filter((s) => !isEventsView(s.view));
    if (states.length === 0) throw new ValidationError(`feature service ${request.service} has only events views: read it with getEvents`, 'service');
    return states;
  }

  /**
   * Every event of the request's one events view known at `asOf` (see OfflineStore.getEvents): the
   * interactions or daily sales a model trains on, as they stood at its cutoff.
   */
  async getEvents(request: FeatureRequest, asOf: Date): Promise<EventRows> {
    const events = this.resolve(request).filter((s) => isEventsView(s.view));
    const field = 'service' in request ? 'service' : 'features';
    if (events.length !== 1) throw new ValidationError(`getEvents reads exactly one events view; the request names ${events.length ? events.map((s) => s.view.name).join(', ') : 'none'}`, field);
    return this.offline.getEvents(events[0], asOf);
  }

  /** Builds the offline tables that are older than the lakehouse tables they read. */
  build(opts: { force?: boolean; views?: string[] } = {}): Promise<BuildReport[]> {
    return this.offline.build(this.registry(), opts);
  }

  /** Point-in-time correct features for each entity row (see OfflineStore.getHistoricalFeatures). */
  async getHistoricalFeatures(entities: EntitySource, request: FeatureRequest, opts: HistoricalOptions = {}): Promise<HistoricalFeatures> {
    return this.offline.getHistoricalFeatures(entities, this.stateSelections(request), opts);
  }

  /** Builds stale offline tables, then pushes the latest values in [start, end] online. */
  async materialize(range: { start?: Date; end?: Date; incremental?: boolean; views?: string[] } = {}): Promise<Materialization> {
    const registry = this.registry();
    for (const v of range.views ?? []) if (!registry.views.some((x) => x.name === v)) throw new ValidationError(`unknown feature view "${v}"`, 'views');
    await this.build({ views: range.views });
    const end = range.end ?? (await this.newestFeatureTs(range.views));
    if (range.start && range.start > end) throw new ValidationError(`start ${range.start.toISOString()} is after end ${end.toISOString()}`, 'start');
    return materialize(registry, { start: range.start, end, incremental: range.incremental === true, views: range.views }, {
      offline: this.offline,
      online: this.online,
      log: this.log,
      logger: this.deps.logger,
      progress: this.deps.progress,
      now: this.now,
    });
  }

  /** The newest feature timestamp in the offline tables: the data's "now", the default materialization end. */
  async newestFeatureTs(views?: string[]): Promise<Date> {
    const registry = this.registry();
    let newest = 0;
    for (const v of registry.views.filter((x) => x.online && (!views || views.includes(x.name)))) {
      newest = Math.max(newest, (await this.offline.newestFeatureTs(v))?.getTime() ?? 0);
    }
    return new Date(newest);
  }

  /** Latest values for `keys` from the online store, with TTL statuses against the clock. */
  getOnlineFeatures(request: FeatureRequest, keys: readonly string[], opts: { fullFeatureNames?: boolean; now?: Date } = {}): Promise<OnlineFeatures> {
    if (keys.length === 0) throw new ValidationError('no entity keys given', 'entities');
    const selections = this.stateSelections(request);
    const entity = selections[0].entity.name;
    const other = selections.find((s) => s.entity.name !== entity);
    if (other) throw new ValidationError(`features of one entity at a time: ${other.view.name} is keyed by ${other.entity.name}, not ${entity}`, 'features');
    return getOnlineFeatures(this.online, selections, keys, opts.now ?? this.now(), opts.fullFeatureNames === true);
  }

  /** A reusable online reader for fixed features (resolved once; one round trip per call). */
  entityReader(request: FeatureRequest): EntityReader {
    const selections = this.stateSelections(request);
    const other = selections.find((s) => s.entity.name !== selections[0].entity.name);
    if (other) throw new ValidationError(`features of one entity at a time: ${other.view.name} is keyed by ${other.entity.name}`, 'features');
    return new EntityReader(this.online, selections);
  }

  /**
   * The online reader for a model's feature references, refused (UnavailableError naming the views)
   * when any of their views is not served: not an online view, or never materialized into this
   * online store. `trainedOn` (e.g. "registry v3") goes into the message.
   */
  servedReader(refs: string[], trainedOn = ''): EntityReader {
    const selections = this.resolve({ features: refs });
    const unserved = selections.filter((s) => !s.view.online || this.log.window(s.view.name, this.online.type) === null).map((s) => s.view.name);
    if (unserved.length) throw new UnavailableError(`its features are not served: ${unserved.join(', ')} never materialized into the ${this.online.type} online store${trainedOn ? ` (the model was trained on ${trainedOn})` : ''}; run \`fitlake features materialize\``);
    return this.entityReader({ features: refs });
  }

  /**
   * Refuses (UnavailableError naming the ref) a model trained on features the applied registry no
   * longer declares: one read offline (events views), whose values serving cannot stand behind.
   */
  checkDeclared(refs: string[], trainedOn = ''): void {
    try {
      this.resolve({ features: refs });
    } catch (e) {
      throw new UnavailableError(`its features are no longer declared: ${(e as Error).message}${trainedOn ? ` (the model was trained on ${trainedOn})` : ''}; retrain it (npm run train)`);
    }
  }

  /** Picks up values another process materialized since this store loaded them (in-process caches only). */
  refreshOnline(): void {
    this.online.refresh?.();
  }

  /** The end of the newest materialization: the data's "now" as the online store sees it (null before any). */
  lastMaterializedEnd(): Date | null {
    const ends = this.log.list().flatMap((m) => m.views.map((v) => v.end));
    return ends.length ? new Date(ends.sort().at(-1)!) : null;
  }

  async close(): Promise<void> {
    this.offline.close();
    await this.online.close();
  }
}
