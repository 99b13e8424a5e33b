import pino, { type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat } from './config';
import { aboveLiveLine } from './terminal';

export type { Logger };

/**
 * Logs on stderr, so stdout stays free for command output: JSON lines (pino) on a pipe or file,
 * human-readable lines on a terminal (`auto`), or as asked. On a terminal every line is written
 * above the progress bar, never glued to it.
 */
export function createLogger(level: string = process.env.FITLAKE_LOG_LEVEL ?? 'info', format: LogFormat = 'auto', stream: NodeJS.WriteStream = process.stderr): Logger {
  const opts = { level, base: { app: 'fitlake' }, timestamp: pino.stdTimeFunctions.isoTime };
  const tty = stream.isTTY === true;
  const destination = tty ? aboveLiveLine(stream) : stream === process.stderr ? pino.destination(2) : stream;
  if (format === 'json' || (format === 'auto' && !tty)) return pino(opts, destination);
  const pretty = require('pino-pretty') as typeof PinoPretty; // loaded only when used (the API logs JSON)
  return pino(opts, pretty({ destination, sync: true, colorize: tty, singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,app' }));
}

/** A logger that drops everything: for tests and library callers that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
