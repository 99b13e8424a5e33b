import { open, mkdir } from 'node:fs/promises';
import { fsyncDir } from '../../core/atomic_fs';
import { localDay } from '../../core/dates';
import { dirname, join } from 'node:path';
import { storageError, UnavailableError } from '../../core/errors';
import { csvHeader, landingLine, type FeedEvent } from '../events';
import type { FeedSpec } from '../feeds';
import type { Source } from './source';

/**
 * Events appended to landing files, one per feed and arrival day:
 * `landing/<feed>/<feed>_rest_<YYYY-MM-DD>.<ext>` in the feed's own format (a CSV file starts with
 * its header). Each append is one write of whole lines followed by fsync, so `fitlake ingest` (which
 * takes the new complete lines of a grown file) never sees half an append.
 */
export class LandingSource implements Source {
  readonly type = 'landing' as const;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly landing: string,
    private readonly timeZone: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The landing file events of `feed` arriving now go to. */
  fileFor(feed: FeedSpec): string {
    return join(this.landing, feed.name, `${feed.name}_rest_${localDay(this.now(), this.timeZone)}.${feed.format}`);
  }

  append(feed: FeedSpec, events: readonly FeedEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const run = this.tail.then(() => this.write(feed, events));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async write(feed: FeedSpec, events: readonly FeedEvent[]): Promise<void> {
    const path = this.fileFor(feed);
    const body = events.map((e) => landingLine(feed, e)).join('\n') + '\n';
    try {
      await mkdir(dirname(path), { recursive: true });
      let created = false;
      let handle;
      try {
        handle = await open(path, 'ax');
        created = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        handle = await open(path, 'a');
      }
      try {
        await handle.write(created && feed.format === 'csv' ? `${csvHeader(feed)}\n${body}` : body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (created) fsyncDir(dirname(path));
    } catch (e) {
      throw new UnavailableError(`cannot make ${feed.name} events durable: ${storageError(e)?.message ?? (e as Error).message}`, e);
    }
  }

  async close(): Promise<void> {
    await this.tail;
  }
}
