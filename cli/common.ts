import type { Command } from 'commander';
import { loadConfig, parseIntStrict, type Config } from '../core/config';
import { createLogger, type Logger } from '../core/logger';
import { createProgress, type Progress } from '../core/progress';

export interface GlobalOpts {
  lakehouse?: string;
  timezone?: string;
  logLevel?: string;
}

/** Config, logger and progress for a subcommand, from its global flags, env and config file. */
export function context(cmd: Command, extra: { seed?: string; scale?: string } = {}): { config: Config; logger: Logger; progress: Progress } {
  const g = cmd.optsWithGlobals() as GlobalOpts;
  const config = loadConfig({
    lakehouse: g.lakehouse,
    timezone: g.timezone,
    logLevel: g.logLevel as Config['logLevel'] | undefined,
    seed: extra.seed === undefined ? undefined : parseIntStrict(extra.seed, '--seed'),
    scale: extra.scale as Config['scale'] | undefined,
  });
  const logger = createLogger(config.logLevel);
  return { config, logger, progress: createProgress(logger) };
}

export function intOption(value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : parseIntStrict(value, flag);
}
