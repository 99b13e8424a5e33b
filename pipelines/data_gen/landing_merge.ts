import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { AtomicWriter, type TextSink } from '../../core/atomic_writer';
import type { Day } from './calendar';
import { dirtRow } from './dirt';
import { FEEDS, landingFileName } from '../feeds';
import type { DayParts } from './sink';

export interface LandedFile {
  path: string;
  feed: string;
  date: string;
  /** Data lines, torn ones included (the CSV header excluded). */
  lines: number;
  bytes: number;
  sha256: string;
}

/**
 * Writes the chain's landing files, one per feed and day: the clubs' parts in club order after
 * the CSV header, atomically (readers never see a half-written drop). Logs each torn line with
 * its line number in the merged file.
 */
export class ChainLanding {
  readonly files: LandedFile[] = [];

  constructor(
    private readonly landingDir: string,
    private readonly days: Day[],
    private readonly torn: TextSink,
  ) {}

  /** Writes day `d`'s files from every club's parts. */
  writeDay(d: number, clubs: DayParts[]): void {
    const ordered = [...clubs].sort((a, b) => a.club - b.club);
    for (const feed of FEEDS) {
      const parts = ordered.flatMap((c) => c.parts.filter((p) => p.feed === feed.name).map((p) => ({ club: c, part: p })));
      if (parts.length === 0) continue;
      const rel = landingFileName(feed, this.days[d].date);
      const out = new AtomicWriter(join(this.landingDir, rel));
      const hash = createHash('sha256');
      const put = (bytes: Uint8Array) => {
        out.writeBytes(bytes);
        hash.update(bytes);
      };
      const header = feed.format === 'csv' ? Buffer.from(feed.columns.join(',') + '\n') : Buffer.alloc(0);
      let line = feed.format === 'csv' ? 1 : 0;
      let bytes = header.length;
      try {
        put(header);
        for (const { club, part } of parts) {
          for (const t of club.torn) if (t.feed === feed.name) this.torn.write(dirtRow('malformed_line', feed.name, t.recordId, 'torn copy or garbage', rel, line + t.line) + '\n');
          put(part.bytes);
          line += part.lines;
          bytes += part.bytes.length;
        }
        out.commit({ durable: false });
      } catch (e) {
        out.abort();
        throw e;
      }
      this.files.push({ path: rel, feed: feed.name, date: this.days[d].date, lines: line - (feed.format === 'csv' ? 1 : 0), bytes, sha256: hash.digest('hex') });
    }
  }
}
