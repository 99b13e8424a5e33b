import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ConflictError, ValidationError } from '../../core/errors';

/** The consumer's Prometheus metrics and its small HTTP endpoint (`/metrics`, `/healthz`, `/readyz`). */
export class StreamMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({ name: 'fitlake_stream_events_total', help: 'Records written to bronze, by feed and outcome (bronze, quarantined)', labelNames: ['feed', 'outcome'], registers: [this.registry] });
  readonly batches = new Counter({ name: 'fitlake_stream_batches_total', help: 'Micro-batches committed to the bronze log', registers: [this.registry] });
  readonly batchSeconds = new Histogram({ name: 'fitlake_stream_batch_seconds', help: 'Time to write and commit one micro-batch', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  readonly lag = new Gauge({ name: 'fitlake_stream_lag', help: 'Records on the broker not yet in bronze, per topic and partition', labelNames: ['topic', 'partition'], registers: [this.registry] });
  readonly rate = new Gauge({ name: 'fitlake_stream_events_per_second', help: 'Records written to bronze per second, over the last 10 s', registers: [this.registry] });
  readonly toOnline = new Histogram({ name: 'fitlake_stream_event_to_online_seconds', help: 'From a record\'s append to the broker to its batch\'s live features in the online store', buckets: [0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 2, 3, 5, 10, 30], registers: [this.registry] });
  readonly late = new Counter({ name: 'fitlake_stream_late_events_total', help: 'Events whose 30-second window was already final when they arrived (kept in _late_events, not counted)', registers: [this.registry] });
  readonly watermark = new Gauge({ name: 'fitlake_stream_watermark_seconds', help: 'The live windows\' watermark (event time, seconds since the epoch)', registers: [this.registry] });
  readonly errors = new Counter({ name: 'fitlake_stream_errors_total', help: 'Consumer sessions ended by an error (broker down, disk), each retried with backoff', registers: [this.registry] });
  private readonly window: { at: number; n: number }[] = [];
  /** Why the consumer cannot make progress now (undefined: ready). */
  notReady: string | undefined = 'starting';

  /** Records a committed batch of `n` records. */
  tallyRate(n: number, now = Date.now()): void {
    this.window.push({ at: now, n });
    while (this.window.length && this.window[0].at < now - 10_000) this.window.shift();
    this.rate.set(this.window.reduce((s, w) => s + w.n, 0) / 10);
  }

  /** Serves the endpoints on host:port; resolves with the server once listening. */
  listen(host: string, port: number): Promise<Server> {
    const server = createServer((req, res) => {
      const send = (status: number, type: string, body: string) => res.writeHead(status, { 'content-type': type }).end(body);
      if (req.url === '/metrics') this.registry.metrics().then((m) => send(200, this.registry.contentType, m), (e: Error) => send(500, 'text/plain', e.message));
      else if (req.url === '/healthz') send(200, 'application/json', '{"status":"ok"}');
      else if (req.url === '/readyz') send(this.notReady ? 503 : 200, 'application/json', JSON.stringify(this.notReady ? { status: 'not_ready', reason: this.notReady } : { status: 'ready' }));
      else send(404, 'application/json', '{"error":"not_found"}');
    });
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'EADDRINUSE'
            ? new ConflictError(`${host}:${port} is already in use (another fitlake stream?): choose another with --metrics-port`)
            : e.code === 'EADDRNOTAVAIL' || e.code === 'EACCES'
              ? new ValidationError(`cannot listen on ${host}:${port} (${e.code}): choose another --metrics-host or --metrics-port`, '--metrics-port')
              : e,
        ),
      );
      server.listen(port, host, () => resolve(server));
    });
  }
}
