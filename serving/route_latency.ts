import type { Metric, MetricValueWithName, Registry } from 'prom-client';

type Label = 'route' | 'method' | 'status';

interface Series {
  labels: Record<Label, string>;
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram of request latency by route template, method and status, exposed through
 * a prom-client registry exactly as its own Histogram would be (`_bucket` with `le`, `_sum`,
 * `_count`). It exists for the request path: prom-client's `observe` builds, validates and hashes a
 * label object on every call; here a series is found by three Map lookups on strings the router
 * already holds, and an observation is a bucket scan and three additions.
 */
export class RouteLatency {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Map<string, Map<number, Series>>>();

  constructor(
    readonly name: string,
    readonly help: string,
    /** Upper bounds in seconds, ascending. */
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    // the registry needs only name, type, help, aggregator, get() and reset() of a metric
    registry.registerMetric(this as unknown as Metric);
  }

  /** Records one request of `seconds`. */
  observe(route: string, method: string, status: number, seconds: number): void {
    let byMethod = this.series.get(route);
    if (!byMethod) this.series.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let s = byStatus.get(status);
    if (!s) byStatus.set(status, (s = { labels: { route, method, status: String(status) }, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 }));
    let i = 0;
    while (i < this.buckets.length && seconds > this.buckets[i]) i++;
    s.counts[i]++;
    s.sum += seconds;
    s.count++;
  }

  /** The series in prom-client's exposition form (cumulative buckets, then +Inf, sum and count). */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: MetricValueWithName<Label | 'le'>[] }> {
    const values: MetricValueWithName<Label | 'le'>[] = [];
    for (const byMethod of this.series.values())
      for (const byStatus of byMethod.values())
        for (const s of byStatus.values()) {
          let cumulative = 0;
          this.buckets.forEach((le, i) => values.push({ metricName: `${this.name}_bucket`, labels: { le, ...s.labels }, value: (cumulative += s.counts[i]) }));
          values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...s.labels }, value: s.count });
          values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
          values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
        }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }
}
