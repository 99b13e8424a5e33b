import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app instance (its own registry, so tests and benches can build many apps). */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly latency = new Histogram({
    name: 'fitlake_http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly predictions = new Counter({ name: 'fitlake_predictions_total', help: 'Predictions served by model and version', labelNames: ['model', 'version'] as const, registers: [this.registry] });
  readonly fallbacks = new Counter({ name: 'fitlake_recommendation_fallbacks_total', help: 'Cold-start recommendations (popularity) by kind', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly modelInfo = new Gauge({ name: 'fitlake_model_info', help: 'Served model versions (value 1)', labelNames: ['model', 'version', 'alias'] as const, registers: [this.registry] });
  readonly staleFeatures = new Counter({ name: 'fitlake_feature_freshness_total', help: 'Online feature vectors read, by freshness', labelNames: ['freshness'] as const, registers: [this.registry] });

  private readonly children = new Map<string, { observe(v: number): void }>();

  /** Records one request's latency under its route template (children cached: no label hashing per request). */
  observe(req: { route?: { path?: string }; baseUrl: string; method: string }, status: number, seconds: number): void {
    const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
    const key = `${route}\u0000${req.method}\u0000${status}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.latency.labels({ route, method: req.method, status: String(status) });
      this.children.set(key, child);
    }
    child.observe(seconds);
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
