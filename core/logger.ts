import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr, so stdout stays free for command output. */
export function createLogger(level: string = process.env.FITLAKE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'fitlake' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
}

/** A logger that drops everything: for tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
