import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet, { type HelmetOptions } from 'helmet';
import { pinoHttp } from 'pino-http';
import { NotFoundError } from '../core/errors';
import type { ApiContext } from './context';
import { errorMiddleware, jsonBody } from './http';
import { forecastRoutes } from './routes/forecast';
import { opsRoutes } from './routes/ops';
import { predictRoutes } from './routes/predict';
import { recommendRoutes } from './routes/recommend';

export interface AppOptions extends ApiContext {
  /** Requests per minute per client address (0: no limit). */
  rateLimitPerMinute: number;
  /** Log one line per request (pino-http) when the logger is at info or below; default on. */
  requestLogs?: boolean;
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
 * helmet's headers, computed once: the policy has no per-request parts (no nonces), so running
 * helmet's middleware chain on every request buys nothing.
 */
function securityHeaders(options: HelmetOptions): express.RequestHandler {
  const names: string[] = [];
  const values: string[] = [];
  const probe = { setHeader: (k: string, v: string) => void (names.push(k), values.push(v)), removeHeader: () => undefined, getHeader: () => undefined };
  helmet(options)({ headers: {}, method: 'GET' } as express.Request, probe as unknown as express.Response, () => undefined);
  return (_req, res, next) => {
    for (let i = 0; i < names.length; i++) res.setHeader(names[i], values[i]);
    next();
  };
}

/**
 * Runs middlewares in sequence inside one Express layer. Express 5 charges every `app.use` layer on
 * every request (six no-op layers cost a third of a bare app's throughput here), so the common
 * pipeline is one layer.
 */
export function compose(mws: express.RequestHandler[]): express.RequestHandler {
  return (req, res, next) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      const mw = mws[i++];
      if (!mw) return next();
      try {
        void mw(req, res, step);
      } catch (e) {
        next(e);
      }
    };
    step();
  };
}

function requestLogger(opts: AppOptions): express.RequestHandler {
  return pinoHttp({
    logger: opts.logger,
    genReqId: (req) => (req as express.Request).id ?? randomUUID(),
    // Only what operations need: no bodies, headers or query strings (member ids, names, emails never logged).
    serializers: { req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0].replace(/\/(recommend|members)\/[^/]+/, '/$1/:member') }), res: (res: { statusCode: number }) => ({ status: res.statusCode }) },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}

function limiter(perMinute: number): express.RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // the peer address as seen on the socket (no proxy trust configured); skips per-request IP parsing
    keyGenerator: (req) => req.socket.remoteAddress ?? 'unknown',
    validate: { keyGeneratorIpFallback: false },
    handler: (req, res) => void res.status(429).json({ error: { code: 'rate_limited', message: `more than ${perMinute} requests per minute from this address`, request_id: String(req.id) } }),
  });
}

/** Request id (from a valid X-Request-Id, else a UUID) echoed back, and the latency histogram. */
function requestId(opts: AppOptions): express.RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    const t0 = performance.now();
    res.once('finish', () => opts.metrics.observe(req, res.statusCode, (performance.now() - t0) / 1000));
    next();
  };
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
  app.use(
    compose([
      securityHeaders(API_HELMET),
      requestId(opts),
      ...(opts.requestLogs !== false && opts.logger.isLevelEnabled('info') ? [requestLogger(opts)] : []),
      ...(opts.rateLimitPerMinute > 0 ? [limiter(opts.rateLimitPerMinute)] : []),
      jsonBody(256 * 1024),
    ]),
  );
  // one router for every route: a request walks one layer list, not one per module
  const router = express.Router();
  for (const register of [predictRoutes, recommendRoutes, forecastRoutes, opsRoutes]) register(router, opts);
  app.use(router);
  app.use((req, _res, next) => next(new NotFoundError(`no route ${req.method} ${req.path.slice(0, 100)}`)));
  app.use(errorMiddleware(opts.logger));
  return app;
}
