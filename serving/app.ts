import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { HelmetOptions } from 'helmet';
import { pinoHttp } from 'pino-http';
import { NotFoundError } from '../core/errors';
import type { Config } from '../core/config';
import type { ApiContext } from './context';
import { type HeaderList, helmetHeaders, onResponseHead } from './headers';
import { dashboardRoutes } from './dashboard/routes';
import { errorMiddleware, jsonBody } from './http';
import { RateLimiter, rateLimit } from './rate_limit';
import { forecastRoutes } from './routes/forecast';
import { opsRoutes } from './routes/ops';
import { ingestRoutes, MAX_INGEST_BYTES } from './routes/ingest';
import { liveRoutes } from './routes/live';
import { predictRoutes } from './routes/predict';
import { recommendRoutes } from './routes/recommend';

export interface AppOptions extends ApiContext {
  /** Requests per minute per client address (0: no limit). */
  rateLimitPerMinute: number;
  /** Proxies whose X-Forwarded-For is believed (Express's `trust proxy`: hop count or addresses); none by default. */
  trustProxy?: Config['serving']['trustProxy'];
  /** Log one line per request (pino-http) when the logger is at info or below; default on. */
  requestLogs?: boolean;
  /** True once the server drains for shutdown: every response then says `Connection: close`. */
  draining?: () => boolean;
}

const REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * helmet configured for a JSON API (OWASP REST guidance): a response may not load anything or be
 * framed, is never sniffed or sent as a referrer, and HSTS holds. The browser-document policies
 * (cross-origin opener, agent cluster, DNS prefetch, download options, XSS auditor) protect HTML pages
 * and only cost bytes on every JSON response; the one HTML page (/docs) sets its own CSP.
 */
const API_HELMET: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

/**
 * Runs middlewares in sequence inside one Express layer. Express 5 charges every `app.use` layer on
 * every request (six no-op layers cost a third of a bare app's throughput here), so the common
 * pipeline is one layer.
 */
export function compose(mws: express.RequestHandler[]): express.RequestHandler {
  const run = (i: number, req: express.Request, res: express.Response, next: express.NextFunction): void => {
    if (i === mws.length) return next();
    try {
      void mws[i](req, res, (err?: unknown) => (err ? next(err) : run(i + 1, req, res, next)));
    } catch (e) {
      next(e);
    }
  };
  return (req, res, next) => run(0, req, res, next);
}

/** The pattern of the route that answered (`/recommend/:member`), never the path as sent. */
const routeOf = (req: unknown) => (req as express.Request).route?.path ?? '(no route)';

function requestLogger(opts: AppOptions): express.RequestHandler {
  return pinoHttp({
    logger: opts.logger,
    genReqId: (req) => (req as express.Request).id ?? randomUUID(),
    // Only what operations need: no bodies, headers, query strings or paths as sent, but the route that
    // matched, known when the response ends (routes match in any letter case; member ids never logged).
    serializers: { req: (req: { id: unknown; method: string }) => ({ id: req.id, method: req.method }), res: (res: { statusCode: number }) => ({ status: res.statusCode }) },
    customSuccessObject: (req, _res, val: object) => ({ ...val, route: routeOf(req) }),
    customErrorObject: (req, _res, _err, val: object) => ({ ...val, route: routeOf(req) }),
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}

/** The request id (from a valid X-Request-Id, else a UUID) and the start time, for `responseHead`. */
const requestId: express.RequestHandler = (req, _res, next) => {
  const given = req.headers['x-request-id'];
  req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.startedAt = performance.now();
  next();
};

/**
 * As a response starts: its latency (to the response head; every body here follows at once) into the
 * histogram, and its headers: the security policy, the request id and, with a limit, the draft-7
 * `RateLimit` pair.
 */
function responseHead(metrics: ApiContext['metrics'], limiter: RateLimiter | null, draining: () => boolean): (req: express.Request, status: number) => HeaderList {
  // answers are about members and models of the moment: no browser or proxy keeps them
  const security = [...helmetHeaders(API_HELMET), 'cache-control', 'no-store'];
  return (req, status) => {
    const out = req.startedAt === undefined ? security.slice() : [...security, 'x-request-id', String(req.id)];
    if (req.startedAt !== undefined) metrics.observe(req, status, (performance.now() - req.startedAt) / 1000);
    if (limiter && req.rateLimit) out.push('ratelimit-policy', limiter.policy, 'ratelimit', limiter.header(req.rateLimit));
    // node closes the connection after a response that says so, and the client knows not to reuse it
    if (draining()) out.push('connection', 'close');
    return out;
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    /** performance.now() when the request entered the app. */
    startedAt?: number;
  }
}

/**
 * The Express app, built from what it is given (stores, models, clock, logger), so tests and
 * benchmarks run it against real stores without a listening server.
 */
export function createApp(opts: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (opts.trustProxy !== undefined && opts.trustProxy !== false) app.set('trust proxy', opts.trustProxy);
  const limiter = opts.rateLimitPerMinute > 0 ? new RateLimiter(opts.rateLimitPerMinute, 60_000) : null;
  onResponseHead(app, responseHead(opts.metrics, limiter, opts.draining ?? (() => false)));
  app.use(
    compose([
      requestId,
      ...(opts.requestLogs !== false && opts.logger.isLevelEnabled('info') ? [requestLogger(opts)] : []),
      ...(limiter ? [rateLimit(limiter, opts.trustProxy !== undefined && opts.trustProxy !== false)] : []),
      jsonBody((req) => (req.path.startsWith('/ingest/') ? MAX_INGEST_BYTES : 256 * 1024)),
    ]),
  );
  // every route on the app's own router: a request walks one layer list (a mounted Router is a second walk)
  for (const register of [predictRoutes, recommendRoutes, forecastRoutes, ingestRoutes, liveRoutes, opsRoutes, dashboardRoutes]) register(app, opts);
  app.use((req, _res, next) => next(new NotFoundError(`no route ${req.method} ${req.path.slice(0, 100)}`)));
  app.use(errorMiddleware(opts.logger));
  return app;
}
