import { SingleBar, Presets } from 'cli-progress';
import type { Logger } from './logger';
import { setLiveLine } from './terminal';

/** Progress of one long step. Implementations: a terminal bar, periodic log lines, or nothing. */
export interface Progress {
  /** Begins a step of `total` units. */
  start(step: string, total: number): void;
  /** Adds `n` done units to the current step. */
  tick(n?: number): void;
  /** Ends the current step. */
  stop(): void;
}

export const noProgress: Progress = { start() {}, tick() {}, stop() {} };

/** A cli-progress bar on a terminal; elsewhere (CI, pipes) a log line every 10% of the step. */
export function createProgress(logger: Logger, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) return terminalProgress(stream);
  let step = '';
  let total = 0;
  let done = 0;
  let nextReport = 0;
  return {
    start(s, t) {
      step = s;
      total = t;
      done = 0;
      nextReport = t / 10;
    },
    tick(n = 1) {
      done += n;
      if (done >= nextReport && done < total) {
        logger.info({ step, done, total }, `${step}: ${Math.round((100 * done) / Math.max(total, 1))}%`);
        nextReport += total / 10;
      }
    },
    stop() {
      logger.info({ step, done, total }, `${step}: done`);
    },
  };
}

function terminalProgress(stream: NodeJS.WriteStream): Progress {
  // forceRedraw: a log line written above the bar leaves its line empty, so every render must draw it
  const bar = new SingleBar({ format: '{step} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}', stream, hideCursor: true, forceRedraw: true }, Presets.shades_classic);
  return {
    start(step, total) {
      bar.start(total, 0, { step });
      setLiveLine(stream, { redraw: () => bar.render() });
    },
    tick(n = 1) {
      bar.increment(n);
    },
    stop() {
      setLiveLine(stream, null);
      bar.stop();
    },
  };
}
