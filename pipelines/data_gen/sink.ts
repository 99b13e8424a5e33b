import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic_fs';
import type { Day } from './calendar';
import { DirtLog, malformed } from './dirt';
import { FEEDS, landingFileName, type FeedSpec } from '../feeds';
import type { DirtRates } from './options';
import type { Rng } from './rng';

export interface LandedFile {
  path: string;
  feed: string;
  date: string;
  /** Data lines, torn ones included (the CSV header excluded). */
  lines: number;
  bytes: number;
  sha256: string;
}

/** A growing UTF-8 buffer of one file's lines: lines are encoded as they come, so no string lives long. */
class FileBuffer {
  buf = Buffer.allocUnsafe(1 << 16);
  len = 0;
  lines = 0;

  append(line: string): void {
    const need = this.len + line.length * 3 + 1;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
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
 * Buffers each feed's lines per delivery day and writes one file per feed and day, atomically
 * (readers never see a half-written drop). Injects torn lines and replays earlier check-in
 * batches, logging both with their exact file and line.
 */
export class LandingSink {
  readonly files: LandedFile[] = [];
  private readonly pending = new Map<string, Map<number, FileBuffer>>();
  private readonly recentCheckins: Buffer[] = [];
  private readonly specs = new Map(FEEDS.map((f) => [f.name, f]));

  constructor(
    private readonly landingDir: string,
    private readonly days: Day[],
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
      if (feed.format === 'csv') {
        b.append(feed.columns.join(','));
        b.lines = 0;
      }
      byDay.set(day, b);
    }
    return b;
  }

  /** Queues a record line for the file delivered on `fileDay` (clamped to the last day). */
  push(feedName: string, fileDay: number, line: string, id: string): void {
    const feed = this.specs.get(feedName)!;
    const day = Math.min(fileDay, this.days.length - 1);
    const b = this.buffer(feed, day);
    b.append(line);
    if (this.rates.malformedLine > 0 && this.rng.chance(this.rates.malformedLine)) {
      b.append(malformed(this.rng, line, feed.format === 'csv'));
      this.dirt.add('malformed_line', feed.name, id, 'torn copy or garbage', landingFileName(feed, this.days[day].date), b.lines + (feed.format === 'csv' ? 1 : 0));
    }
  }

  /** Writes every feed's file for `day`. */
  flush(day: number): void {
    for (const feed of FEEDS) {
      const byDay = this.pending.get(feed.name)!;
      let b = byDay.get(day);
      byDay.delete(day);
      if (feed.name === 'class_checkins') b = this.replay(feed, b, day);
      if (b && b.len > 0) this.write(feed, this.days[day].date, b);
    }
  }

  private replay(feed: FeedSpec, b: FileBuffer | undefined, day: number): FileBuffer | undefined {
    const recent = this.recentCheckins;
    if (recent.length > 0 && this.rng.chance(this.rates.replayedBatch)) {
      const source = recent[this.rng.int(recent.length)].toString('utf8').split('\n').filter((l) => l.startsWith('{"scan_id"') && l.endsWith('}'));
      const whole = this.rng.chance(0.3);
      const len = whole ? source.length : Math.max(1, Math.floor(source.length * this.rng.range(0.05, 0.5)));
      const from = whole ? 0 : this.rng.int(source.length - len + 1);
      b ??= this.buffer(feed, day);
      for (const line of source.slice(from, from + len)) {
        b.append(line);
        this.dirt.add('replayed_row', feed.name, (JSON.parse(line) as { scan_id: string }).scan_id);
      }
    }
    if (b) recent.push(Buffer.from(b.bytes()));
    if (recent.length > 3) recent.shift();
    return b;
  }

  private write(feed: FeedSpec, date: string, b: FileBuffer): void {
    const rel = landingFileName(feed, date);
    const data = b.bytes();
    writeFileAtomic(join(this.landingDir, rel), data, { durable: false });
    this.files.push({ path: rel, feed: feed.name, date, lines: b.lines, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  }
}
