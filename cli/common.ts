import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ValidationError } from '../core/errors';
import { engineFrom, loadConfig, parseIntStrict, type Config } from '../core/config';
import { createLogger, type Logger } from '../core/logger';
import { createProgress, type Progress } from '../core/progress';

/** Adds --engine and --master to a command that runs pipeline models. */
export function engineOptions(cmd: Command): Command {
  return cmd
    .option('--engine <type>', 'where models run: duckdb (embedded, default) or spark (FITLAKE_ENGINE)')
    .option('--master <url>', 'Spark master with --engine spark: local[N] (default local[2]), spark://…, k8s://…, yarn');
}

/** The configuration with the engine the command's --engine/--master name (when given). */
export function withEngine(config: Config, opts: { engine?: string; master?: string }): Config {
  const engine = engineFrom(opts.engine, opts.master);
  return engine ? { ...config, engine } : config;
}

export interface GlobalOpts {
  lakehouse?: string;
  timezone?: string;
  logLevel?: string;
  logFormat?: string;
}

/** Config, logger and progress for a subcommand, from its global flags, env and config file; `existing`: the lakehouse must exist. */
export function context(cmd: Command, extra: { seed?: string; scale?: string; existing?: boolean } = {}): { config: Config; logger: Logger; progress: Progress } {
  const g = cmd.optsWithGlobals() as GlobalOpts;
  const config = loadConfig({
    lakehouse: g.lakehouse,
    timezone: g.timezone,
    logLevel: g.logLevel as Config['logLevel'] | undefined,
    logFormat: g.logFormat as Config['logFormat'] | undefined,
    seed: extra.seed === undefined ? undefined : parseIntStrict(extra.seed, '--seed'),
    scale: extra.scale as Config['scale'] | undefined,
  });
  if (extra.existing) requireLakehouse(config);
  const logger = createLogger(config.logLevel, config.logFormat);
  return { config, logger, progress: createProgress(logger) };
}

/** Stops a command that reads a lakehouse when there is none at the configured path. */
export function requireLakehouse(config: Pick<Config, 'lakehouse'>): void {
  if (existsSync(config.lakehouse)) return;
  throw new ValidationError(
    `lakehouse ${config.lakehouse} does not exist: create one with \`npm run train\` (it generates a synthetic gym when there is no data), or point --lakehouse / FITLAKE_LAKEHOUSE at an existing one`,
    'lakehouse',
  );
}

export function intOption(value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : parseIntStrict(value, flag);
}
