import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lakePaths } from '../../core/paths';
import { BronzeLog } from '../bronze/log';
import { LIVE_WINDOWS_TABLE } from './live_windows';
import type { WindowRow } from './windows';

/** A club's occupancy at the end of its latest final window. */
export interface ClubOccupancy {
  club_id: string;
  occupancy: number;
  window_end: string;
}

/** Final windows read at start (the newest files): enough for every club's latest occupancy. */
const INITIAL_FILES = 200;
const RECENT_ROWS = 2_000;

/**
 * Follows the live-windows table `fitlake stream` commits to bronze, for the API: every club's
 * latest occupancy, the recent windows, and a callback per batch of new windows (for Server-Sent
 * Events). Reads only the log entries added since the last poll.
 */
export class LiveReader {
  private log: BronzeLog | undefined;
  /** Commits of the log already read. */
  private seen = 0;
  private readonly occupancy = new Map<string, ClubOccupancy>();
  private recent: WindowRow[] = [];
  private readonly listeners = new Set<(rows: WindowRow[] | null) => void>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<WindowRow[]> | undefined;
  /** The last poll's error, if it failed (the values read before are still served). */
  error: string | undefined;

  constructor(private readonly root: string) {}

  /** Reads windows committed since the last poll; tells the listeners. */
  poll(): Promise<WindowRow[]> {
    this.polling ??= this.readNew().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async readNew(): Promise<WindowRow[]> {
    const paths = lakePaths(this.root);
    try {
      let fresh: { path: string }[];
      if (!this.log) {
        if (!existsSync(paths.bronzeLog)) return [];
        this.log = BronzeLog.load(paths.bronzeLog);
        fresh = this.log.files(LIVE_WINDOWS_TABLE).slice(-INITIAL_FILES);
      } else {
        this.log.refresh();
        fresh = this.log.commits.slice(this.seen).flatMap((c) => c.outputs.filter((o) => o.table === LIVE_WINDOWS_TABLE));
      }
      this.seen = this.log.commits.length;
      const rows: WindowRow[] = [];
      const { parquetReadObjects } = await import('hyparquet');
      for (const o of fresh) {
        const buf = readFileSync(join(paths.bronze, o.path));
        const objects = (await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) })) as Record<string, unknown>[];
        rows.push(...objects.map(toRow));
      }
      for (const r of rows) if (r.metric === 'occupancy' && r.club_id) this.occupancy.set(r.club_id, { club_id: r.club_id, occupancy: r.value, window_end: r.window_end });
      this.recent = [...this.recent, ...rows].slice(-RECENT_ROWS);
      this.error = undefined;
      if (rows.length) for (const l of this.listeners) l(rows);
      return rows;
    } catch (e) {
      this.error = (e as Error).message;
      return [];
    }
  }

  /** Every club's occupancy at the end of its latest final window, by club. */
  occupancyNow(): ClubOccupancy[] {
    return [...this.occupancy.values()].sort((a, b) => a.club_id.localeCompare(b.club_id));
  }

  /** The most recent final windows (oldest first), at most `limit`. */
  recentWindows(limit = 200): WindowRow[] {
    return this.recent.slice(-limit);
  }

  /** Calls `fn` with each poll's new windows, and with null when the reader stops; returns the unsubscribe function. */
  subscribe(fn: (rows: WindowRow[] | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Polls every `intervalMs` until `stop`. */
  start(intervalMs: number): void {
    this.timer ??= setInterval(() => void this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const l of this.listeners) l(null);
    this.listeners.clear();
  }
}

const text = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));

function toRow(o: Record<string, unknown>): WindowRow {
  return { window_start: text(o.window_start)!, window_end: text(o.window_end)!, metric: o.metric as WindowRow['metric'], club_id: text(o.club_id), dimension: text(o.dimension), value: Number(o.value) };
}
