import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError } from './errors';

export const SCALES = ['tiny', 'small', 'medium', 'large'] as const;
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
    duckdb: z
      .object({
        /** DuckDB memory_limit, e.g. "1GB"; DuckDB spills to disk beyond it. */
        memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'like "1GB"'),
        threads: z.number().int().min(1).max(256).optional(),
      })
      .strict(),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;

export const DEFAULT_CONFIG: Config = {
  lakehouse: './lakehouse',
  timezone: 'America/New_York',
  seed: 42,
  scale: 'small',
  logLevel: 'info',
  duckdb: { memoryLimit: '2GB' },
};

const FileSchema = ConfigSchema.extend({ duckdb: ConfigSchema.shape.duckdb.partial() }).partial();
type PartialConfig = Partial<Omit<Config, 'duckdb'>> & { duckdb?: Partial<Config['duckdb']> };

function fromEnv(env: NodeJS.ProcessEnv): PartialConfig {
  const out: PartialConfig = {};
  if (env.FITLAKE_LAKEHOUSE) out.lakehouse = env.FITLAKE_LAKEHOUSE;
  if (env.FITLAKE_TIMEZONE) out.timezone = env.FITLAKE_TIMEZONE;
  if (env.FITLAKE_SEED) out.seed = parseIntStrict(env.FITLAKE_SEED, 'FITLAKE_SEED');
  if (env.FITLAKE_SCALE) out.scale = env.FITLAKE_SCALE as Scale;
  if (env.FITLAKE_LOG_LEVEL) out.logLevel = env.FITLAKE_LOG_LEVEL as Config['logLevel'];
  if (env.FITLAKE_DUCKDB_MEMORY_LIMIT) out.duckdb = { memoryLimit: env.FITLAKE_DUCKDB_MEMORY_LIMIT };
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
  const merged = {
    ...DEFAULT_CONFIG,
    ...file,
    ...envPart,
    ...stripUndefined(overrides),
    duckdb: { ...DEFAULT_CONFIG.duckdb, ...file.duckdb, ...envPart.duckdb, ...stripUndefined(overrides.duckdb ?? {}) },
  };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) throw zodToValidation(parsed.error, 'configuration');
  return { ...parsed.data, lakehouse: resolve(cwd, parsed.data.lakehouse) };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
