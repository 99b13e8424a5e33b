import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Express } from 'express';
import type { Config } from '../core/config';
import { ConflictError, ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';
import { lakehouseId } from '../core/paths';
import { FeatureStore } from '../features/store';
import { createSource } from '../pipelines/source/create';
import { LiveReader } from '../pipelines/stream/live_reader';
import { createRunTracker } from '../training/tracking/create';
import { createApp } from './app';
import { Dashboard } from './dashboard/dashboard';
import { LakeData } from './dashboard/lake_data';
import type { ApiContext } from './context';
import { ApiMetrics } from './metrics';
import { ModelManager, servedList } from './models';

const MEMBER_VIEWS = ['member_visits', 'member_retail', 'member_app', 'member_wearables', 'member_profile'];

/** The API's context from configuration: feature store (online side), registry tracker, models, clock. */
export async function buildContext(config: Config, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<{ ctx: ApiContext; close: () => Promise<void> }> {
  const store = FeatureStore.open(config, { logger });
  const tracker = createRunTracker(config, env);
  let dataNow = store.lastMaterializedEnd();
  const beforeReload = () => {
    store.refreshOnline();
    dataNow = store.lastMaterializedEnd() ?? dataNow;
  };
  const metrics = new ApiMetrics(true);
  const models = new ModelManager({
    tracker,
    lakehouseId: lakehouseId(config.lakehouse),
    readerFor: (refs, trainedOn) => store.servedReader(refs, trainedOn),
    checkDeclared: (refs, trainedOn) => store.checkDeclared(refs, trainedOn),
    logger,
    beforeReload,
    onSwap: (set) => metrics.setModels(servedList(set)),
    onRefresh: (error) => metrics.storeRefreshFailed.set(error ? 1 : 0),
  });
  await models.reload();
  const now = config.serving.clock === 'data' ? () => dataNow ?? new Date() : () => new Date();
  if (config.serving.clock === 'data') logger.info({ dataNow: dataNow?.toISOString() ?? null }, 'feature freshness measured against the last materialization (serving.clock = data)');
  const memberFeatures = store.entityReader({ features: MEMBER_VIEWS });
  const lake = new LakeData(config.lakehouse, { memoryLimit: config.duckdb.memoryLimit, threads: config.duckdb.threads });
  const ctx: ApiContext = {
    models,
    memberFeatures,
    dashboard: new Dashboard({ lake, tracker, models, memberFeatures, now, onlineVersion: () => store.lastMaterializedEnd()?.toISOString() ?? '' }),
    memberProfile: store.entityReader({ features: ['member_profile:home_club'] }),
    memberLive: store.registry().views.some((v) => v.name === 'member_live') ? store.entityReader({ features: ['member_live'] }) : undefined,
    timeZone: config.timezone,
    now,
    metrics,
    logger,
    apiKey: env.FITLAKE_ADMIN_API_KEY || undefined,
    maxBatch: config.serving.maxBatch,
    source: createSource(config),
    live: new LiveReader(config.lakehouse),
    ingestKey: env.FITLAKE_INGEST_API_KEY || undefined,
  };
  models.start(config.serving.reloadIntervalMs);
  if (config.serving.reloadIntervalMs > 0) ctx.dashboard?.start(config.serving.reloadIntervalMs, logger);
  ctx.live?.start(1_000);
  // the stream writes live features every second or so: pick them up as often (a stat per view when unchanged)
  const refresh = setInterval(() => {
    try {
      store.refreshOnline();
    } catch (e) {
      logger.warn({ err: (e as Error).message }, 'online store refresh failed; serving the values loaded before');
    }
  }, 1_000);
  refresh.unref();
  return {
    ctx,
    close: async () => {
      models.stop();
      ctx.dashboard?.stop();
      clearInterval(refresh);
      ctx.live?.stop();
      await ctx.source?.close();
      await tracker.close();
      await lake.close();
      await store.close();
    },
  };
}

/**
 * A node:http server for an Express app whose requests and responses are born with Express's
 * prototypes. Express otherwise re-prototypes node's objects on every request (Object.setPrototypeOf),
 * which throws V8 off their optimized shapes for the rest of the request — in node's HTTP internals as
 * much as in ours — and costs about half the throughput here. Subclasses (not plain constructor
 * functions) so V8 sizes the objects from node's constructors instead of growing them per property.
 * `app.request`/`app.response` become those subclasses' prototypes (inheriting Express's), so Express's
 * own setPrototypeOf finds them already in place and changes nothing.
 */
export function httpServer(app: Express, limits?: Pick<Config['serving'], 'headersTimeoutMs' | 'requestTimeoutMs'>): Server {
  // explicit constructors: the implicit `constructor(...args) { super(...args) }` spreads its arguments on every request (≈ 4× the cost)
  class Request extends IncomingMessage {
    constructor(socket: Socket) {
      super(socket);
    }
  }
  class Response extends ServerResponse {
    constructor(req: IncomingMessage, options?: object) {
      // @ts-expect-error @types/node declares one parameter; node passes (req, { highWaterMark, rejectNonStandardBodyWrites })
      super(req, options);
    }
  }
  Object.setPrototypeOf(Request.prototype, app.request);
  Object.setPrototypeOf(Response.prototype, app.response);
  Object.assign(app, { request: Request.prototype, response: Response.prototype });
  const timeouts = limits
    ? // node checks the timeouts every connectionsCheckingInterval (30 s by default): often enough to cut on time
      { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1_000, limits.headersTimeoutMs / 4)) }
    : {};
  return createServer({ IncomingMessage: Request, ServerResponse: Response, ...timeouts }, app);
}

/** A failed listen as the error taxonomy says it: what is wrong with the address and what to do. */
export function listenError(e: NodeJS.ErrnoException, at: { host: string; port: number }): Error {
  const where = `${at.host}:${at.port}`;
  if (e.code === 'EADDRINUSE') return new ConflictError(`${where} is already in use (another fitlake serve?): stop it, or choose another port with --port or PORT`);
  if (e.code === 'EACCES') return new ValidationError(`not allowed to listen on ${where} (ports below 1024 need privileges): choose another with --port or PORT`, 'port');
  if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') return new ValidationError(`cannot listen on ${where}: no such address on this machine (--host or FITLAKE_HOST)`, 'host');
  return e;
}

/** How long (default) a keep-alive connection idle when draining starts may still bring its next request. */
const IDLE_GRACE_MS = 1_000;

/**
 * Starts the API on `serving.host:serving.port` and stops gracefully on SIGTERM/SIGINT: stop
 * accepting connections; answer every request still arriving on an open one, in flight or new, with
 * `Connection: close` (the client then opens no more on it); close connections that stay idle; after
 * `graceMs` close what is left; then release the stores. node's own `server.close()` would close idle
 * keep-alive connections at once, resetting a client whose next request is already on its way.
 */
export async function serve(config: Config, logger: Logger, opts: { graceMs?: number; idleGraceMs?: number; signals?: boolean } = {}): Promise<{ server: Server; stop: () => Promise<void> }> {
  const { ctx, close } = await buildContext(config, logger);
  let draining = false;
  const app = createApp({ ...ctx, rateLimitPerMinute: config.serving.rateLimitPerMinute, trustProxy: config.serving.trustProxy, draining: () => draining });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = httpServer(app, config.serving).listen(config.serving.port, config.serving.host, () => resolve(s));
    s.maxConnections = config.serving.maxConnections;
    s.once('error', (e: NodeJS.ErrnoException) => reject(listenError(e, config.serving)));
  }).catch(async (e: unknown) => {
    await close();
    throw e;
  });
  server.keepAliveTimeout = 65_000;
  const address = server.address();
  logger.info({ address: typeof address === 'object' && address ? `${address.address}:${address.port}` : address }, 'fitlake API listening');
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: draining in-flight requests');
      draining = true;
      ctx.live?.stop();
      await new Promise<void>((resolve) => {
        const timers: NodeJS.Timeout[] = [setTimeout(() => server.closeAllConnections(), opts.graceMs ?? 10_000)];
        timers.push(setTimeout(() => timers.push(setInterval(() => server.closeIdleConnections(), 25)), Math.min(opts.idleGraceMs ?? IDLE_GRACE_MS, opts.graceMs ?? 10_000)));
        NetServer.prototype.close.call(server, () => {
          timers.forEach(clearTimeout);
          resolve();
        });
      });
      await close();
    })());
  if (opts.signals !== false) for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void stop().then(() => process.exit(0)));
  return { server, stop };
}
