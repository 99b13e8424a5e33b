import { Counter, type CounterConfiguration, Gauge, type LabelValues, Registry, collectDefaultMetrics } from 'prom-client';
import { RouteLatency } from './route_latency';

/** Prometheus metrics of one app instance (its own registry, so tests and benches can build many apps). */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly latency = new RouteLatency('fitlake_http_request_duration_seconds', 'HTTP request latency by route template, method and status', [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], this.registry);
  readonly predictions = tally({ name: 'fitlake_predictions_total', help: 'Predictions served by model and version', labelNames: ['model', 'version'] as const, registers: [this.registry] });
  readonly fallbacks = tally({ name: 'fitlake_recommendation_fallbacks_total', help: 'Cold-start recommendations (popularity) by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly modelInfo = new Gauge({ name: 'fitlake_model_info', help: 'Served model versions (value 1)', labelNames: ['model', 'version', 'alias'] as const, registers: [this.registry] });
  /** 1 while the last refresh of the online store or materialization records failed (the previous values are served). */
  readonly storeRefreshFailed = new Gauge({ name: 'fitlake_store_refresh_failed', help: 'Whether the last store refresh failed (1: serving the values loaded before)', registers: [this.registry] });
  readonly ingestedEvents = tally({ name: 'fitlake_ingested_events_total', help: 'Events made durable through POST /ingest, by feed', labelNames: ['feed'] as const, registers: [this.registry] });
  readonly freshness = tally({ name: 'fitlake_feature_freshness_total', help: 'Online feature vectors read, by freshness', labelNames: ['freshness'] as const, registers: [this.registry] });

  /** Records one request's latency under its route template ('unmatched' when no route took it). */
  observe(req: { route?: { path?: string }; baseUrl: string; method: string }, status: number, seconds: number): void {
    const path = req.route?.path;
    this.latency.observe(path ? (req.baseUrl ? req.baseUrl + path : path) : 'unmatched', req.method, status, seconds);
  }

  /** Counts `n` events of `feed` accepted by POST /ingest. */
  ingested(feed: string, n: number): void {
    this.ingestedEvents.add(feed, () => ({ feed }), n);
  }

  constructor(defaults = false) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }

  /** Sets fitlake_model_info to exactly the loaded versions. */
  setModels(models: { name: string; version: string | null; alias: string | null }[]): void {
    this.modelInfo.reset();
    for (const m of models) if (m.version && m.alias) this.modelInfo.set({ model: m.name, version: m.version, alias: m.alias }, 1);
  }
}

/** A counter's request-path side: `add` under a key the caller already holds (no label object built or hashed per call). */
export interface Tally<L extends string> {
  /** Adds `n` (default 1) to the series of `labels`; `key` names that series (a string or the object it describes). */
  add(key: unknown, labels: () => LabelValues<L>, n?: number): void;
}

/**
 * A prom-client counter whose increments wait in a Map until the registry is scraped (prom-client
 * calls `collect` first), then are added to it: exposition and reset stay prom-client's.
 */
function tally<L extends string>(config: CounterConfiguration<L>): Tally<L> {
  const pending = new Map<unknown, { labels: LabelValues<L>; n: number }>();
  new Counter<L>({
    ...config,
    collect() {
      for (const p of pending.values()) this.inc(p.labels, p.n);
      pending.clear();
    },
  });
  return {
    add(key, labels, n = 1) {
      const p = pending.get(key);
      if (p) p.n += n;
      else pending.set(key, { labels: labels(), n });
    },
  };
}
