import { eventTimeMs } from '../event_time';
import type { FeedEvent } from '../events';
import { feedSpec } from '../feeds';

/** Tumbling windows of 30 s by event time; a window is final once the watermark passes its end. */
export const WINDOW_MS = 30_000;
/** The watermark trails the latest event time seen by this much. */
export const WATERMARK_DELAY_MS = 60_000;
/** A class check-in whose session's length is unknown counts as leaving this long after the scan. */
export const DEFAULT_STAY_MS = 60 * 60_000;

/** One row of the live-windows table: a metric for one window (and club / dimension). */
export interface WindowRow {
  window_start: string;
  window_end: string;
  /** occupancy (members in the club at the window's end), entries, exits (estimated), class_checkins, retail_units, app_sessions. */
  metric: 'occupancy' | 'entries' | 'exits' | 'class_checkins' | 'retail_units' | 'app_sessions';
  club_id: string | null;
  /** class type (class_checkins) or product category (retail_units); null otherwise. */
  dimension: string | null;
  value: number;
}

/** An event whose window was already final when it arrived: not counted, kept in the late-events table. */
export interface LateRow {
  feed: string;
  source: string;
  offset: number;
  event_time: string;
  watermark: string;
  event: string;
}

/** The input the windows read: a feed's event, where it came from. */
export interface WindowInput {
  feed: string;
  event: FeedEvent;
  source: string;
  offset: number;
}

interface OpenWindow {
  entries: Record<string, number>;
  exits: Record<string, number>;
  /** `club\u0000session_id` → check-ins (the class type is looked up when the window closes). */
  checkins: Record<string, number>;
  /** `club\u0000sku` → units. */
  units: Record<string, number>;
  sessions: string[];
}

/** Everything the windows carry from one batch to the next (saved with each batch's commit). */
export interface WindowState {
  watermark: number | null;
  maxEventMs: number | null;
  open: Record<string, OpenWindow>;
  occupancy: Record<string, number>;
  /** session_id → [class type, start ms, length ms]; dropped a day after the session started. */
  sessions: Record<string, [string, number, number]>;
  /** sku → category. */
  products: Record<string, string>;
}

export const emptyWindowState = (): WindowState => ({ watermark: null, maxEventMs: null, open: {}, occupancy: {}, sessions: {}, products: {} });

/** Feeds whose events the windows count (sessions and products only name things). */
const WINDOW_FEEDS = new Set(['class_checkins', 'facility_usage', 'retail_sales', 'app_events']);
const iso = (ms: number) => new Date(ms).toISOString();
const startOf = (ms: number) => Math.floor(ms / WINDOW_MS) * WINDOW_MS;
const num = (v: unknown) => {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
};
const add = (m: Record<string, number>, k: string, n: number) => (m[k] = (m[k] ?? 0) + n);

/**
 * The live windows as a state machine over micro-batches, in Spark Structured Streaming's terms:
 * 30-second tumbling windows by event time, a watermark one minute behind the latest event time,
 * computed at the end of each batch and applied to the next. An event is counted while its window is
 * open (its end after the watermark) and goes to the late table otherwise. Windows are emitted once,
 * in order, when the watermark passes their end; occupancy per club is entries minus estimated exits
 * (a facility use's own length, a class's session length, else one hour), carried across windows.
 * `apply` never mutates its input state: it returns the next one, so a batch that fails to commit
 * leaves the committed state as it was.
 */
export function applyWindows(prev: WindowState, inputs: readonly WindowInput[], timeZone: string): { state: WindowState; rows: WindowRow[]; late: LateRow[] } {
  const s: WindowState = structuredClone(prev);
  const late: LateRow[] = [];
  const windowAt = (ms: number): OpenWindow => (s.open[String(startOf(ms))] ??= { entries: {}, exits: {}, checkins: {}, units: {}, sessions: [] });
  const openAt = (ms: number) => s.watermark === null || startOf(ms) + WINDOW_MS > s.watermark;
  for (const input of inputs) {
    const { event } = input;
    if (input.feed === 'class_sessions') {
      const start = eventTimeMs(event.start_time, timeZone);
      if (start !== undefined && event.session_id != null) s.sessions[String(event.session_id)] = [String(event.class_type ?? 'unknown'), start, num(event.duration_min) * 60_000 || DEFAULT_STAY_MS];
      continue;
    }
    if (input.feed === 'products') {
      if (event.sku != null) s.products[String(event.sku)] = String(event.category ?? 'unknown');
      continue;
    }
    if (!WINDOW_FEEDS.has(input.feed)) continue;
    const at = eventTimeMs(event[feedSpec(input.feed).eventTime], timeZone);
    if (at === undefined) continue;
    if (!openAt(at)) {
      late.push({ feed: input.feed, source: input.source, offset: input.offset, event_time: iso(at), watermark: iso(s.watermark!), event: JSON.stringify(event) });
      continue;
    }
    s.maxEventMs = Math.max(s.maxEventMs ?? at, at);
    const club = String(event.club_id ?? 'unknown');
    const w = windowAt(at);
    if (input.feed === 'class_checkins') {
      add(w.checkins, `${club}\u0000${String(event.session_id ?? '')}`, 1);
      const session = s.sessions[String(event.session_id ?? '')];
      enter(s, w, club, session ? Math.max(at, session[1] + session[2]) : at + DEFAULT_STAY_MS, windowAt, openAt);
    } else if (input.feed === 'facility_usage') {
      enter(s, w, club, at + (num(event.duration_min) * 60_000 || DEFAULT_STAY_MS), windowAt, openAt);
    } else if (input.feed === 'retail_sales') {
      add(w.units, `${club}\u0000${String(event.sku ?? '')}`, num(event.quantity) || 1);
    } else if (event.app_session_id != null && !w.sessions.includes(String(event.app_session_id))) {
      w.sessions.push(String(event.app_session_id));
    }
  }
  if (s.maxEventMs !== null) s.watermark = Math.max(s.watermark ?? -Infinity, s.maxEventMs - WATERMARK_DELAY_MS);
  return { state: s, rows: closeWindows(s), late };
}

/** Counts an entry now and its estimated exit in the window it falls in (the earliest open one if that is final). */
function enter(s: WindowState, w: OpenWindow, club: string, exitAt: number, windowAt: (ms: number) => OpenWindow, openAt: (ms: number) => boolean): void {
  add(w.entries, club, 1);
  add(windowAt(openAt(exitAt) ? exitAt : s.watermark!).exits, club, 1);
}

/** Emits, in order, the windows the watermark has passed, and drops them (and sessions over a day old). */
function closeWindows(s: WindowState): WindowRow[] {
  if (s.watermark === null) return [];
  const rows: WindowRow[] = [];
  const due = Object.keys(s.open).map(Number).filter((start) => start + WINDOW_MS <= s.watermark!).sort((a, b) => a - b);
  for (const start of due) {
    const w = s.open[String(start)];
    const base = { window_start: iso(start), window_end: iso(start + WINDOW_MS) };
    const row = (metric: WindowRow['metric'], club: string | null, dimension: string | null, value: number) => rows.push({ ...base, metric, club_id: club, dimension, value });
    for (const club of [...new Set([...Object.keys(w.entries), ...Object.keys(w.exits)])].sort()) {
      const entries = w.entries[club] ?? 0;
      const exits = w.exits[club] ?? 0;
      s.occupancy[club] = (s.occupancy[club] ?? 0) + entries - exits;
      row('entries', club, null, entries);
      row('exits', club, null, exits);
      row('occupancy', club, null, s.occupancy[club]);
    }
    for (const [k, n] of rollUp(w.checkins, (id) => s.sessions[id]?.[0] ?? 'unknown')) row('class_checkins', k[0], k[1], n);
    for (const [k, n] of rollUp(w.units, (sku) => s.products[sku] ?? 'unknown')) row('retail_units', k[0], k[1], n);
    if (w.sessions.length) row('app_sessions', null, null, w.sessions.length);
    delete s.open[String(start)];
  }
  for (const [id, [, started]] of Object.entries(s.sessions)) if (started < s.watermark - 86_400_000) delete s.sessions[id];
  return rows;
}

/** `club\u0000x` counts summed by (club, dimension of x), sorted. */
function rollUp(counts: Record<string, number>, dimension: (x: string) => string): [[string, string], number][] {
  const out = new Map<string, number>();
  for (const [k, n] of Object.entries(counts)) {
    const [club, x] = k.split('\u0000');
    const key = `${club}\u0000${dimension(x)}`;
    out.set(key, (out.get(key) ?? 0) + n);
  }
  return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [k.split('\u0000') as [string, string], n]);
}
