import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../core/logger';
import type { FeedEvent } from '../events';
import type { FeedSpec } from '../feeds';
import { countSent, replayEvents, type ReplayEvent, type ReplayOptions, type ReplayTally } from './replay';

export interface SimulateOptions extends ReplayOptions {
  /** Most events sent per second. */
  rate: number;
  /** Event time runs this many times faster than the wall clock (unset: only the rate paces). */
  speedup?: number;
  /** Stop after this many events. */
  limit?: number;
}

/** Where simulated events go: a Source's `append`, or a REST client. */
export type EventSink = (feed: FeedSpec, events: FeedEvent[]) => Promise<void>;

export interface SimulateResult extends ReplayTally {
  seconds: number;
  /** Events per second achieved. */
  rate: number;
}

const TICK_MS = 20;

/**
 * `fitlake simulate`: replays a generated gym's landing events into a sink in send order (see
 * `replayEvents`), at most `rate` a second and, with `speedup`, no sooner than their event time
 * allows. Each tick's due events are sent per feed in one call; a failed send stops the replay
 * (what was sent before stays sent). Stops early when `signal` aborts.
 */
export async function simulate(landing: string, timeZone: string, opts: SimulateOptions, sink: EventSink, deps: { logger: Logger; signal?: AbortSignal }): Promise<SimulateResult> {
  const tally: ReplayTally = { sent: 0, late: 0, duplicates: 0, skipped: 0, byFeed: {} };
  const events = replayEvents(landing, timeZone, opts, tally);
  const started = performance.now();
  let first: number | undefined;
  let tokens = 0;
  let last = started;
  let logged = started;
  let sent = 0;
  let held: ReplayEvent | undefined = events.next().value ?? undefined;
  while (held && !deps.signal?.aborted && (opts.limit === undefined || sent < opts.limit)) {
    const now = performance.now();
    tokens = Math.min(tokens + ((now - last) / 1000) * opts.rate, Math.max(1, opts.rate * 0.1));
    last = now;
    const due = new Map<FeedSpec, FeedEvent[]>();
    first ??= held.sendMs;
    while (held && tokens >= 1 && (opts.limit === undefined || sent < opts.limit)) {
      if (opts.speedup && (held.sendMs - first) / opts.speedup > now - started) break;
      const list = due.get(held.feed) ?? [];
      list.push(held.event);
      due.set(held.feed, list);
      tokens--;
      sent++;
      countSent(tally, held);
      held = events.next().value ?? undefined;
    }
    for (const [feed, list] of due) await sink(feed, list);
    if (now - logged > 5_000) {
      logged = now;
      deps.logger.info({ sent, perSecond: Math.round(sent / ((now - started) / 1000)) }, 'simulating');
    }
    await sleep(TICK_MS);
  }
  const seconds = (performance.now() - started) / 1000;
  return { ...tally, seconds, rate: sent / seconds };
}
