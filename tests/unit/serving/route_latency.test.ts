import { Histogram, Registry } from 'prom-client';
import { RouteLatency } from '../../../serving/route_latency';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** A fixed pseudo-random sequence (LCG), so the test sees the same observations every run. */
function sequence(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('RouteLatency', () => {
  it("exposes exactly what prom-client's own Histogram exposes for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const latency = new RouteLatency('http_seconds', 'latency', BUCKETS, ours);
    const reference = new Histogram({ name: 'http_seconds', help: 'latency', labelNames: ['route', 'method', 'status'], buckets: BUCKETS, registers: [theirs] });
    const next = sequence(7);
    const routes = ['/predict/churn', '/recommend/:member', 'unmatched'];
    for (let i = 0; i < 2000; i++) {
      const route = routes[Math.floor(next() * routes.length)];
      const method = next() < 0.8 ? 'GET' : 'POST';
      const status = [200, 400, 404][Math.floor(next() * 3)];
      // bounds themselves included: an observation equal to a bound falls in that bound's bucket
      const seconds = next() < 0.1 ? BUCKETS[Math.floor(next() * BUCKETS.length)] : next() ** 3 * 2;
      latency.observe(route, method, status, seconds);
      reference.observe({ route, method, status: String(status) }, seconds);
    }
    const lines = async (r: Registry) => (await r.metrics()).split('\n').sort();
    const got = await lines(ours);
    expect(got.length).toBeGreaterThan(100);
    expect(got).toEqual(await lines(theirs));
  });

  it('starts empty again after a registry reset', async () => {
    const registry = new Registry();
    const latency = new RouteLatency('http_seconds', 'latency', BUCKETS, registry);
    latency.observe('/healthz', 'GET', 200, 0.002);
    expect(await registry.metrics()).toContain('http_seconds_count{route="/healthz",method="GET",status="200"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('http_seconds_count');
  });
});
