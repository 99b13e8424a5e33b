import { malformed, type DirtLog } from './dirt';
import { FEEDS, type FeedSpec } from '../feeds';
import type { DirtRates } from './options';
import type { Rng } from './rng';

/** One club's lines of one landing file (feed and day), without the CSV header. */
export interface FilePart {
  feed: string;
  /** UTF-8 lines, each ending in a newline. */
  bytes: Uint8Array;
  lines: number;
}

/** A torn line in a club's part: its record and its 1-based line within the part. */
export interface TornLine {
  feed: string;
  recordId: string;
  line: number;
}

/** What one club delivers for one day: its part of each feed's file, and the torn lines in them. */
export interface DayParts {
  club: number;
  day: number;
  parts: FilePart[];
  torn: TornLine[];
}

/** A growing UTF-8 buffer of one file's lines: lines are encoded as they come, so no string lives long. */
class FileBuffer {
  buf = Buffer.allocUnsafeSlow(1 << 16);
  len = 0;
  lines = 0;
  readonly torn: TornLine[] = [];

  append(line: string): void {
    const need = this.len + line.length * 3 + 1;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.len += this.buf.write(line, this.len);
    this.buf[this.len++] = 10;
    this.lines++;
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/**
 * Buffers one club's lines per feed and delivery day and hands each day's parts over on `flush`;
 * the chain's files are those parts merged in club order. Injects torn lines and replays earlier
 * check-in batches of the club, logging both.
 */
export class LandingSink {
  private readonly pending = new Map<string, Map<number, FileBuffer>>();
  private readonly recentCheckins: Buffer[] = [];
  private readonly specs = new Map(FEEDS.map((f) => [f.name, f]));

  constructor(
    private readonly club: number,
    private readonly lastDay: number,
    private readonly rng: Rng,
    private readonly rates: DirtRates,
    private readonly dirt: DirtLog,
  ) {
    for (const f of FEEDS) this.pending.set(f.name, new Map());
  }

  private buffer(feed: FeedSpec, day: number): FileBuffer {
    const byDay = this.pending.get(feed.name)!;
    let b = byDay.get(day);
    if (!b) {
      b = new FileBuffer();
      byDay.set(day, b);
    }
    return b;
  }

  /** While muted (days simulated past the data, for the truth only), records are dropped. */
  muted = false;

  /** Queues a record line for the file delivered on `fileDay` (clamped to the last day). */
  push(feedName: string, fileDay: number, line: string, id: string): void {
    if (this.muted) return;
    const feed = this.specs.get(feedName)!;
    const b = this.buffer(feed, Math.min(fileDay, this.lastDay));
    b.append(line);
    if (this.rates.malformedLine > 0 && this.rng.chance(this.rates.malformedLine)) {
      b.append(malformed(this.rng, line, feed.format === 'csv'));
      b.torn.push({ feed: feed.name, recordId: id, line: b.lines });
      this.dirt.tally('malformed_line', feed.name);
    }
  }

  /** Hands over this club's part of every feed's file for `day`. */
  flush(day: number): DayParts {
    const out: DayParts = { club: this.club, day, parts: [], torn: [] };
    for (const feed of FEEDS) {
      const byDay = this.pending.get(feed.name)!;
      let b = byDay.get(day);
      byDay.delete(day);
      if (feed.name === 'class_checkins') b = this.replay(feed, b, day);
      if (!b || b.lines === 0) continue;
      out.parts.push({ feed: feed.name, bytes: b.bytes(), lines: b.lines });
      out.torn.push(...b.torn);
    }
    return out;
  }

  private replay(feed: FeedSpec, b: FileBuffer | undefined, day: number): FileBuffer | undefined {
    const recent = this.recentCheckins;
    if (recent.length > 0 && this.rng.chance(this.rates.replayedBatch)) {
      const source = recent[this.rng.int(recent.length)].toString('utf8').split('\n').filter((l) => l.startsWith('{"scan_id"') && l.endsWith('}'));
      const whole = this.rng.chance(0.3);
      const len = whole ? source.length : Math.max(1, Math.floor(source.length * this.rng.range(0.05, 0.5)));
      const from = whole ? 0 : this.rng.int(source.length - len + 1);
      if (source.length > 0) b ??= this.buffer(feed, day);
      for (const line of source.slice(from, from + len)) {
        b!.append(line);
        this.dirt.add('replayed_row', feed.name, (JSON.parse(line) as { scan_id: string }).scan_id);
      }
    }
    if (b) recent.push(Buffer.from(b.bytes()));
    if (recent.length > 3) recent.shift();
    return b;
  }
}
