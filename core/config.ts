import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError } from './errors';

export const SCALES = ['tiny', 'small', 'medium', 'large'] as const;
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export type Scale = (typeof SCALES)[number];

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const ConfigSchema = z
  .object({
    /** Root of every generated or derived file (landing, bronze, silver, gold, truth). */
    lakehouse: z.string().min(1),
    /** IANA time zone of the gym: naive local timestamps are read in it. */
    timezone: z.string().refine(isTimeZone, { message: 'not a known IANA time zone' }),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    scale: z.enum(SCALES),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    /** Log lines on stderr: JSON lines, human-readable, or `auto` (readable on a terminal, JSON elsewhere). */
    logFormat: z.enum(LOG_FORMATS),
    /** Where pipeline models run: the embedded DuckDB engine, or Spark (a local or cluster master). */
    engine: z.discriminatedUnion('type', [
      z.object({ type: z.literal('duckdb') }).strict(),
      z
        .object({
          type: z.literal('spark'),
          /** Spark master: local[N], spark://host:port, k8s://…, yarn. */
          master: z.string().regex(/^(local(\[(\d+|\*)\])?|spark:\/\/.+|k8s:\/\/.+|yarn)$/, 'local[N], spark://…, k8s://… or yarn').default('local[2]'),
          /** The Python with PySpark and sqlglot (default: the project's .venv). */
          python: z.string().min(1).optional(),
        })
        .strict(),
    ]),
    duckdb: z
      .object({
        /** DuckDB memory_limit, e.g. "1GB"; DuckDB spills to disk beyond it. */
        memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'like "1GB"'),
        threads: z.number().int().min(1).max(256).optional(),
      })
      .strict(),
    features: z
      .object({
        /**
         * Where historical feature tables live and are joined: DuckDB over Parquet (the only one so far).
         * `rowsPerBucket`: a view whose spine has more rows is built a bucket of keys at a time (default 10 M).
         */
        offline: z.object({ type: z.literal('duckdb'), rowsPerBucket: z.number().int().min(100).optional() }).strict(),
        /** Where the latest values are served from: in-process (no server) or Redis. */
        online: z.discriminatedUnion('type', [
          z.object({ type: z.literal('embedded') }).strict(),
          z
            .object({
              type: z.literal('redis'),
              host: z.string().min(1).default('127.0.0.1'),
              port: z.number().int().min(1).max(65535).default(6379),
              keyPrefix: z.string().default('fitlake:'),
            })
            .strict(),
        ]),
      })
      .strict(),
    /**
     * Where events arrive before bronze: landing files only (the embedded default; REST appends to
     * landing files), or Apache Kafka (one topic per feed; `fitlake stream` writes them to bronze).
     */
    source: z.discriminatedUnion('type', [
      z.object({ type: z.literal('landing') }).strict(),
      z
        .object({
          type: z.literal('kafka'),
          /** Bootstrap brokers, host:port. */
          brokers: z.array(z.string().regex(/^[\w.-]+:\d{1,5}$/, 'host:port')).min(1).default(['127.0.0.1:9092']),
          /** Topic of a feed: <topicPrefix><feed>; the dead-letter topic: <topicPrefix>dlq. */
          topicPrefix: z.string().regex(/^[\w.-]*$/, 'letters, digits, ".", "_", "-"').default('fitlake.'),
          /** Partitions of each feed topic when `fitlake stream` creates it. */
          partitions: z.number().int().min(1).max(1000).default(3),
        })
        .strict(),
    ]),
    /** Where training runs and registered models are recorded (MLflow's data model). */
    tracking: z.discriminatedUnion('type', [
      /** MLflow's file-store layout in a folder (default <lakehouse>/mlruns); no server. */
      z.object({ type: z.literal('file'), dir: z.string().min(1) }).strict(),
      /** An MLflow tracking server's REST API; credentials only from MLFLOW_TRACKING_TOKEN or _USERNAME/_PASSWORD. */
      z.object({ type: z.literal('mlflow'), uri: z.string().regex(/^https?:\/\//, 'an http(s):// URL') }).strict(),
    ]),
    /** The prediction API (`fitlake serve`). The admin API key comes only from FITLAKE_ADMIN_API_KEY. */
    serving: z
      .object({
        port: z.number().int().min(0).max(65535),
        host: z.string().min(1),
        /**
         * What "now" is for feature freshness: `system` (the wall clock) or `data` (the end of the last
         * materialization — for replayed or synthetic data whose days lie in the past).
         */
        clock: z.enum(['system', 'data']),
        /** How often the registry's champion aliases are polled for hot reload (0: only POST /admin/reload). */
        reloadIntervalMs: z.number().int().min(0),
        /** Most member ids in one batch prediction. */
        maxBatch: z.number().int().min(1).max(10_000),
        /** Requests per minute per client address (0: no limit). */
        rateLimitPerMinute: z.number().int().min(0),
        /** Slow clients: ms a client may take to send a request's headers, and the whole request. */
        headersTimeoutMs: z.number().int().min(100),
        requestTimeoutMs: z.number().int().min(100),
        /** Most open connections (more are refused at once). */
        maxConnections: z.number().int().min(1),
        /**
         * Reverse proxies whose X-Forwarded-For gives the client address (for the per-address rate
         * limit): false (none, the default: the header is ignored), a hop count, or addresses/CIDRs.
         */
        trustProxy: z.union([z.literal(false), z.number().int().min(1).max(10), z.string().regex(/^[\w.:/, -]+$/, 'addresses or CIDRs, comma-separated')]),
      })
      .strict(),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;

/** The defaults; tracking defaults to the lakehouse's own file store (see `defaultTracking`). */
export const DEFAULT_CONFIG: Omit<Config, 'tracking'> = {
  lakehouse: './lakehouse',
  timezone: 'America/New_York',
  seed: 42,
  scale: 'small',
  logLevel: 'info',
  logFormat: 'auto',
  engine: { type: 'duckdb' },
  duckdb: { memoryLimit: '2GB' },
  features: { offline: { type: 'duckdb' }, online: { type: 'embedded' } },
  source: { type: 'landing' },
  serving: { port: 3000, host: '127.0.0.1', clock: 'data', reloadIntervalMs: 30_000, maxBatch: 500, rateLimitPerMinute: 60_000, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 2_000, trustProxy: false },
};

/** Runs and registered models belong to the lakehouse they were trained on: `<lakehouse>/mlruns`. */
export function defaultTracking(lakehouse: string): Config['tracking'] {
  return { type: 'file', dir: join(lakehouse, 'mlruns') };
}

const FileSchema = ConfigSchema.extend({
  duckdb: ConfigSchema.shape.duckdb.partial(),
  serving: ConfigSchema.shape.serving.partial(),
  features: ConfigSchema.shape.features.partial(),
}).partial();
/** The engine a CLI's --engine/--master (or FITLAKE_ENGINE/FITLAKE_SPARK_MASTER) names. */
export function engineFrom(type: string | undefined, master: string | undefined): Config['engine'] | undefined {
  if (type === undefined && master === undefined) return undefined;
  if (type === 'duckdb') {
    if (master !== undefined) throw new ValidationError('--master is for --engine spark', 'master');
    return { type: 'duckdb' };
  }
  if (type !== undefined && type !== 'spark') throw new ValidationError(`--engine must be duckdb or spark, got "${type}"`, 'engine');
  const parsed = ConfigSchema.shape.engine.safeParse({ type: 'spark', ...(master ? { master } : {}) });
  if (!parsed.success) throw zodToValidation(parsed.error, '--master');
  return parsed.data;
}

type PartialConfig = Partial<Omit<Config, 'duckdb' | 'serving' | 'features'>> & {
  duckdb?: Partial<Config['duckdb']>;
  serving?: Partial<Config['serving']>;
  features?: Partial<Config['features']>;
};

/** FITLAKE_ONLINE_STORE=redis (with FITLAKE_REDIS_HOST / FITLAKE_REDIS_PORT) picks Redis; the password is read where the store is opened. */
function onlineFromEnv(env: NodeJS.ProcessEnv): Config['features']['online'] | undefined {
  const type = env.FITLAKE_ONLINE_STORE;
  if (!type) return undefined;
  if (type === 'embedded') return { type };
  if (type !== 'redis') throw new ValidationError(`FITLAKE_ONLINE_STORE must be embedded or redis, got "${type}"`, 'FITLAKE_ONLINE_STORE');
  return {
    type,
    host: env.FITLAKE_REDIS_HOST ?? '127.0.0.1',
    port: env.FITLAKE_REDIS_PORT ? parseIntStrict(env.FITLAKE_REDIS_PORT, 'FITLAKE_REDIS_PORT') : 6379,
    keyPrefix: env.FITLAKE_REDIS_PREFIX ?? 'fitlake:',
  };
}

/** MLFLOW_TRACKING_URI as MLflow reads it: http(s) → a tracking server, file:/path or a plain path → a file store. */
function trackingFromEnv(env: NodeJS.ProcessEnv): Config['tracking'] | undefined {
  const uri = env.MLFLOW_TRACKING_URI;
  if (!uri) return undefined;
  if (/^https?:\/\//.test(uri)) return { type: 'mlflow', uri };
  if (uri.startsWith('file:')) return { type: 'file', dir: uri.replace(/^file:(\/\/)?/, '') };
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) throw new ValidationError(`MLFLOW_TRACKING_URI must be http(s)://, file: or a folder, got "${uri}" (talk to databases through an MLflow server)`, 'MLFLOW_TRACKING_URI');
  return { type: 'file', dir: uri };
}

/** FITLAKE_SOURCE=kafka (with FITLAKE_KAFKA_BROKERS=host:port,…) reads events from Kafka. */
function sourceFromEnv(env: NodeJS.ProcessEnv): Config['source'] | undefined {
  const type = env.FITLAKE_SOURCE;
  if (!type && !env.FITLAKE_KAFKA_BROKERS) return undefined;
  if (type === 'landing') return { type };
  if (type !== undefined && type !== 'kafka') throw new ValidationError(`FITLAKE_SOURCE must be landing or kafka, got "${type}"`, 'FITLAKE_SOURCE');
  const parsed = ConfigSchema.shape.source.safeParse({ type: 'kafka', ...(env.FITLAKE_KAFKA_BROKERS ? { brokers: env.FITLAKE_KAFKA_BROKERS.split(',').map((b) => b.trim()) } : {}) });
  if (!parsed.success) throw zodToValidation(parsed.error, 'FITLAKE_KAFKA_BROKERS');
  return parsed.data;
}

function fromEnv(env: NodeJS.ProcessEnv): PartialConfig {
  const out: PartialConfig = {};
  if (env.FITLAKE_LAKEHOUSE) out.lakehouse = env.FITLAKE_LAKEHOUSE;
  if (env.FITLAKE_TIMEZONE) out.timezone = env.FITLAKE_TIMEZONE;
  if (env.FITLAKE_SEED) out.seed = parseIntStrict(env.FITLAKE_SEED, 'FITLAKE_SEED');
  if (env.FITLAKE_SCALE) out.scale = env.FITLAKE_SCALE as Scale;
  if (env.FITLAKE_LOG_LEVEL) out.logLevel = env.FITLAKE_LOG_LEVEL as Config['logLevel'];
  if (env.FITLAKE_LOG_FORMAT) out.logFormat = env.FITLAKE_LOG_FORMAT as Config['logFormat'];
  if (env.FITLAKE_DUCKDB_MEMORY_LIMIT) out.duckdb = { memoryLimit: env.FITLAKE_DUCKDB_MEMORY_LIMIT };
  const engine = engineFrom(env.FITLAKE_ENGINE, env.FITLAKE_SPARK_MASTER);
  if (engine) out.engine = engine;
  const tracking = trackingFromEnv(env);
  if (tracking) out.tracking = tracking;
  const source = sourceFromEnv(env);
  if (source) out.source = source;
  const serving: Partial<Config['serving']> = {};
  if (env.PORT) serving.port = parseIntStrict(env.PORT, 'PORT');
  if (env.FITLAKE_HOST) serving.host = env.FITLAKE_HOST;
  if (env.FITLAKE_SERVING_CLOCK) serving.clock = env.FITLAKE_SERVING_CLOCK as Config['serving']['clock'];
  if (env.FITLAKE_RELOAD_INTERVAL_MS) serving.reloadIntervalMs = parseIntStrict(env.FITLAKE_RELOAD_INTERVAL_MS, 'FITLAKE_RELOAD_INTERVAL_MS');
  if (env.FITLAKE_RATE_LIMIT_PER_MINUTE) serving.rateLimitPerMinute = parseIntStrict(env.FITLAKE_RATE_LIMIT_PER_MINUTE, 'FITLAKE_RATE_LIMIT_PER_MINUTE');
  if (env.FITLAKE_HEADERS_TIMEOUT_MS) serving.headersTimeoutMs = parseIntStrict(env.FITLAKE_HEADERS_TIMEOUT_MS, 'FITLAKE_HEADERS_TIMEOUT_MS');
  if (env.FITLAKE_REQUEST_TIMEOUT_MS) serving.requestTimeoutMs = parseIntStrict(env.FITLAKE_REQUEST_TIMEOUT_MS, 'FITLAKE_REQUEST_TIMEOUT_MS');
  if (env.FITLAKE_MAX_CONNECTIONS) serving.maxConnections = parseIntStrict(env.FITLAKE_MAX_CONNECTIONS, 'FITLAKE_MAX_CONNECTIONS');
  if (env.FITLAKE_TRUST_PROXY) serving.trustProxy = env.FITLAKE_TRUST_PROXY === 'false' ? false : /^\d+$/.test(env.FITLAKE_TRUST_PROXY) ? Number(env.FITLAKE_TRUST_PROXY) : env.FITLAKE_TRUST_PROXY;
  if (Object.keys(serving).length) out.serving = serving;
  const online = onlineFromEnv(env);
  if (online) out.features = { online };
  return out;
}

export function parseIntStrict(text: string, field: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new ValidationError(`${field} must be an integer, got "${text}"`, field);
  return Number(text);
}

function fromFile(path: string): PartialConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ValidationError(`cannot read config file ${path}: ${(e as Error).message}`, 'config', e);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) throw zodToValidation(parsed.error, `config file ${path}`);
  return parsed.data as PartialConfig;
}

export function zodToValidation(err: z.ZodError, where: string): ValidationError {
  const issue = err.issues[0];
  const field = issue?.path.join('.') || undefined;
  return new ValidationError(`${where}: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`, field, err);
}

/**
 * Resolves the configuration: defaults < config file (`FITLAKE_CONFIG` or ./fitlake.config.json)
 * < environment < explicit overrides (CLI flags). Throws ValidationError naming the field at fault.
 */
export function loadConfig(overrides: PartialConfig = {}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const filePath = env.FITLAKE_CONFIG ? resolve(cwd, env.FITLAKE_CONFIG) : resolve(cwd, 'fitlake.config.json');
  if (env.FITLAKE_CONFIG && !existsSync(filePath)) throw new ValidationError(`config file not found: ${filePath}`, 'FITLAKE_CONFIG');
  const file = existsSync(filePath) ? fromFile(filePath) : {};
  const envPart = fromEnv(env);
  const layers = [file, envPart, overrides];
  const section = <K extends 'duckdb' | 'serving' | 'features'>(key: K) => Object.assign({}, DEFAULT_CONFIG[key], ...layers.map((l) => stripUndefined(l[key] ?? {})));
  const merged = { ...DEFAULT_CONFIG, ...file, ...envPart, ...stripUndefined(overrides), duckdb: section('duckdb'), serving: section('serving'), features: section('features') };
  const lakehouse = resolve(cwd, merged.lakehouse);
  const parsed = ConfigSchema.safeParse({ ...merged, tracking: merged.tracking ?? defaultTracking(lakehouse) });
  if (!parsed.success) throw zodToValidation(parsed.error, 'configuration');
  const tracking = parsed.data.tracking.type === 'file' ? { ...parsed.data.tracking, dir: resolve(cwd, parsed.data.tracking.dir) } : parsed.data.tracking;
  return { ...parsed.data, lakehouse, tracking };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
