import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../data_gen/rng';
import { dropDate } from '../bronze/landing_files';
import { eventProblem, type FeedEvent } from '../events';
import { eventTimeMs, zonedToUtcMs } from '../event_time';
import { FEEDS, type FeedSpec } from '../feeds';

export interface ReplayOptions {
  seed: number;
  /** Each event is sent up to this much after its event time (uniform), so feeds interleave as in life. */
  jitterMs: number;
  /** Share of events held back by 1 minute to 3 days (log-uniform): late arrivals. */
  lateShare: number;
  /** Share of events sent twice (the copy up to 10 minutes later). */
  duplicateShare: number;
  /** First and last landing day replayed (YYYY-MM-DD), inclusive. */
  from?: string;
  to?: string;
  /** Feeds replayed (default: all). */
  feeds?: readonly string[];
}

/** One event on its way out, in send order. */
export interface ReplayEvent {
  feed: FeedSpec;
  event: FeedEvent;
  /** The event's own time (ms). */
  eventMs: number;
  /** When, in event time, it is sent: its event time plus jitter, lateness or the duplicate's delay. */
  sendMs: number;
  kind: 'on_time' | 'late' | 'duplicate';
}

/** Tallies of what a replay read and sent (`countSent` adds an event that left). */
export interface ReplayTally {
  sent: number;
  late: number;
  duplicates: number;
  /** Landing lines that are not events of their feed (torn or malformed lines): not sent. */
  skipped: number;
  byFeed: Record<string, number>;
}

/** The landing days with files, in order (only within [from, to]). */
export function landingDays(landing: string, opts: Pick<ReplayOptions, 'from' | 'to' | 'feeds'>): Map<string, { feed: FeedSpec; path: string }[]> {
  const days = new Map<string, { feed: FeedSpec; path: string }[]>();
  for (const feed of FEEDS.filter((f) => !opts.feeds || opts.feeds.includes(f.name))) {
    const dir = join(landing, feed.name);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const day = dropDate(name);
      if (!day || !name.endsWith(`.${feed.format}`) || name.startsWith('.') || (opts.from && day < opts.from) || (opts.to && day > opts.to)) continue;
      days.set(day, [...(days.get(day) ?? []), { feed, path: join(dir, name) }]);
    }
  }
  return new Map([...days].sort(([a], [b]) => a.localeCompare(b)));
}

export function countSent(tally: ReplayTally, e: ReplayEvent): void {
  tally.sent++;
  if (e.kind === 'late') tally.late++;
  if (e.kind === 'duplicate') tally.duplicates++;
  tally.byFeed[e.feed.name] = (tally.byFeed[e.feed.name] ?? 0) + 1;
}

function csvCells(line: string): string[] | undefined {
  const cells = [...`${line},`.matchAll(/("(?:[^"]|"")*"|[^,"]*),/g)].map((m) => m[1]);
  if (cells.join(',') !== line) return undefined;
  return cells.map((c) => (c.startsWith('"') && c.endsWith('"') && c.length >= 2 ? c.slice(1, -1).replace(/""/g, '"') : c));
}

/** A landing file's events (lines that are not valid events of the feed are counted as skipped). */
export function fileEvents(feed: FeedSpec, path: string): { events: FeedEvent[]; skipped: number } {
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
  const events: FeedEvent[] = [];
  let skipped = 0;
  const header = feed.format === 'csv' ? csvCells(lines.shift() ?? '') ?? [] : [];
  for (const line of lines) {
    let event: unknown;
    if (feed.format === 'jsonl') {
      try {
        event = JSON.parse(line);
      } catch {
        event = undefined;
      }
    } else {
      const cells = csvCells(line);
      event = cells && cells.length === header.length ? Object.fromEntries(header.flatMap((h, i) => (cells[i] === '' ? [] : [[h, cells[i]]]))) : undefined;
    }
    if (event === undefined || eventProblem(feed, event)) skipped++;
    else events.push(event as FeedEvent);
  }
  return { events, skipped };
}

/** A min-heap of events by send time. */
class SendQueue {
  private readonly items: ReplayEvent[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): ReplayEvent | undefined {
    return this.items[0];
  }
  push(e: ReplayEvent): void {
    const a = this.items;
    a.push(e);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p].sendMs <= a[i].sendMs) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): ReplayEvent | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].sendMs < a[m].sendMs) m = l;
        if (r < a.length && a[r].sendMs < a[m].sendMs) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}

const MINUTE = 60_000;

/**
 * A generated gym's landing events in send order: each landing day's files are read, every event
 * gets a send time (its event time plus jitter; a share held back by a minute to three days; a
 * share sent twice), and events leave in send-time order, a day read ahead. Deterministic for a seed;
 * `tally.skipped` counts landing lines that are not events.
 */
export function* replayEvents(landing: string, timeZone: string, opts: ReplayOptions, tally: Pick<ReplayTally, 'skipped'>): Generator<ReplayEvent> {
  const rng = new Rng(opts.seed);
  const queue = new SendQueue();
  const days = [...landingDays(landing, opts)];
  for (let d = 0; d < days.length; d++) {
    const [day, files] = days[d];
    for (const { feed, path } of files) {
      const { events, skipped } = fileEvents(feed, path);
      tally.skipped += skipped;
      for (const event of events) {
        const eventMs = eventTimeMs(event[feed.eventTime], timeZone) ?? zonedToUtcMs(Date.parse(`${day}T12:00:00Z`), timeZone);
        const late = rng.chance(opts.lateShare);
        const delay = late ? MINUTE * Math.exp(rng.range(0, Math.log(3 * 24 * 60))) : rng.range(0, opts.jitterMs);
        queue.push({ feed, event, eventMs, sendMs: eventMs + delay, kind: late ? 'late' : 'on_time' });
        if (rng.chance(opts.duplicateShare)) queue.push({ feed, event, eventMs, sendMs: eventMs + delay + rng.range(0, 10 * MINUTE), kind: 'duplicate' });
      }
    }
    const nextDay = days[d + 1]?.[0];
    const horizon = nextDay ? zonedToUtcMs(Date.parse(`${nextDay}T00:00:00Z`), timeZone) : Infinity;
    while (queue.size > 0 && queue.peek()!.sendMs < horizon) {
      yield queue.pop()!;
    }
  }
}
