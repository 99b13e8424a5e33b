import { closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { tempSibling } from './atomic_fs';

const FLUSH_AT = 1 << 20;

/** Where text goes, line by line (an `AtomicWriter`, or anything that collects text). */
export interface TextSink {
  write(text: string): void;
}

/**
 * A file written piece by piece, aside, and put in place on `commit` (readers see the old file or
 * the whole new one, never a part). Strings are buffered and written in megabyte chunks, so a
 * writer of millions of short lines holds little memory.
 */
export class AtomicWriter implements TextSink {
  private readonly tmp: string;
  private fd: number | null;
  private pending: string[] = [];
  private pendingChars = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tempSibling(path);
    this.fd = openSync(this.tmp, 'w');
  }

  /** Appends text (UTF-8). */
  write(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= FLUSH_AT) this.flush();
  }

  /** Appends bytes, after any buffered text. */
  writeBytes(data: Uint8Array): void {
    this.flush();
    let done = 0;
    while (done < data.length) done += writeSync(this.open(), data, done, data.length - done);
  }

  /** Appends the whole content of another file, streamed in chunks. */
  append(path: string): void {
    this.flush();
    const fd = openSync(path, 'r');
    const chunk = Buffer.allocUnsafe(FLUSH_AT * 4);
    try {
      for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) this.writeBytes(chunk.subarray(0, n));
    } finally {
      closeSync(fd);
    }
  }

  /** Flushes, optionally fsyncs, and renames the file into place. */
  commit(opts: { durable?: boolean } = {}): void {
    this.flush();
    const fd = this.open();
    if (opts.durable !== false) fsyncSync(fd);
    closeSync(fd);
    this.fd = null;
    renameSync(this.tmp, this.path);
  }

  /** Drops the file written so far; the previous file at `path`, if any, stays. */
  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const data = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    this.writeBytes(data);
  }

  private open(): number {
    if (this.fd === null) throw new Error(`${this.path}: writer already closed`);
    return this.fd;
  }
}
