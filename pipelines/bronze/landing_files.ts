import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { FEEDS, type FeedSpec } from '../feeds';
import type { CommitSource } from './log';

/** A landing file with bytes not ingested yet: new (offset 0) or grown since it was last ingested. */
export interface LandingFile {
  /** Relative to the landing root: `<feed>/<name>`. */
  path: string;
  feed: FeedSpec;
  size: number;
  mtimeMs: number;
  /** What earlier batches took from this file, when it has grown since. */
  prior?: CommitSource;
}

/** What this run takes from a landing file. */
export interface Screened {
  file: LandingFile;
  /** Byte range [offset, end) ingested now: whole lines only, unless the file has settled. */
  offset: number;
  end: number;
  /** Lines before `offset` (the first line taken now is line lineBase + 1). */
  lineBase: number;
  /** Lines in [0, end) and the SHA-256 of those bytes: how a later append is recognised. */
  lines: number;
  sha256: string;
  /** The file to read the range from: the landing file itself, or a copy of the range. */
  readFrom: string;
  /** For CSV: the file's first line (its header, if it is one). */
  header?: string;
  /** Why the whole range is quarantined (not text): nothing in it is read. */
  rejected?: string;
}

export type ScreenOutcome = { kind: 'ingest'; screened: Screened } | { kind: 'pending' } | { kind: 'changed' };

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NL = 0x0a;

/**
 * Landing files with something new, oldest drop first: files never ingested, and ingested files whose
 * size changed (screening tells an append from a rewrite). Dot-prefixed and `.tmp` files are being
 * written (the write-then-rename protocol) and are skipped.
 */
export function discover(landing: string, ingested: Map<string, CommitSource>): LandingFile[] {
  const out: LandingFile[] = [];
  for (const feed of FEEDS) {
    const dir = join(landing, feed.name);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name.endsWith('.tmp') || !name.endsWith(`.${feed.format}`)) continue;
      const path = `${feed.name}/${name}`;
      const st = statSync(join(dir, name));
      if (!st.isFile()) continue;
      const prior = ingested.get(path);
      if (prior && prior.size === st.size) continue;
      out.push({ path, feed, size: st.size, mtimeMs: Math.floor(st.mtimeMs), prior });
    }
  }
  return out.sort((a, b) => dropDate(a.path).localeCompare(dropDate(b.path)) || a.path.localeCompare(b.path));
}

/** The drop date a landing file's name carries (`<feed>_<YYYY-MM-DD>.<ext>`), or ''. */
export function dropDate(path: string): string {
  return /(\d{4}-\d{2}-\d{2})\.[a-z]+$/.exec(path)?.[1] ?? '';
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function countLines(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(NL); i !== -1; i = bytes.indexOf(NL, i + 1)) n++;
  return n;
}

/** Why bytes are not text a feed can hold, or undefined when they are. */
function notText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return 'binary_file';
  if (isUtf8(bytes)) return undefined;
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const nl = bytes.indexOf(NL, start);
    const end = nl === -1 ? bytes.length : nl;
    if (!isUtf8(bytes.subarray(start, end))) return `invalid_utf8:line ${line}`;
    start = end + 1;
  }
  return 'invalid_utf8';
}

function firstLine(bytes: Buffer, from: number, end: number): string {
  const nl = bytes.indexOf(NL, from);
  return bytes.subarray(from, nl === -1 ? end : Math.min(nl, end)).toString('utf8').replace(/\r$/, '');
}

/**
 * Decides what to take from one landing file now. Only whole lines are taken while the file may
 * still be written to (modified less than `settleMs` ago); its unterminated last line waits. A grown
 * file whose earlier bytes are unchanged gives only its new lines; one whose earlier bytes changed is
 * `changed` (never ingested twice). A leading UTF-8 byte-order mark is dropped. Ranges that need it
 * are copied to `sliceDir`.
 */
export function screen(file: LandingFile, landing: string, sliceDir: string, opts: { settleMs: number; now: number }): ScreenOutcome {
  const full = join(landing, file.path);
  const bytes = readFileSync(full);
  const prior = file.prior;
  if (prior && (!prior.sha256 || bytes.length < prior.size || sha256(bytes.subarray(0, prior.size)) !== prior.sha256)) return { kind: 'changed' };
  const offset = prior?.size ?? 0;
  const settled = opts.now - file.mtimeMs >= opts.settleMs;
  const end = settled ? bytes.length : bytes.lastIndexOf(NL) + 1;
  if (end <= offset) return { kind: 'pending' };
  const lineBase = prior?.lines ?? 0;
  const headStart = bytes.subarray(0, 3).equals(BOM) ? 3 : 0;
  const start = Math.max(offset, headStart);
  const rejected = notText(bytes.subarray(start, end));
  let readFrom = full;
  if (!rejected && (start !== 0 || end !== bytes.length)) {
    mkdirSync(sliceDir, { recursive: true });
    readFrom = join(sliceDir, file.path.replace('/', '__'));
    writeFileSync(readFrom, bytes.subarray(start, end));
  }
  return {
    kind: 'ingest',
    screened: {
      file,
      offset,
      end,
      lineBase,
      lines: countLines(bytes.subarray(0, end)) + (end === bytes.length && end > 0 && bytes[end - 1] !== NL ? 1 : 0),
      sha256: sha256(bytes.subarray(0, end)),
      readFrom,
      header: file.feed.format === 'csv' && !rejected ? firstLine(bytes, headStart, end) : undefined,
      rejected,
    },
  };
}
