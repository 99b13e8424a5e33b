import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { ConflictError } from './errors';

let counter = 0;
/** A sibling temp path that readers skip (dot-prefixed, `.tmp` suffix). */
export function tempSibling(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
}

function writeDurable(path: string, data: string | Uint8Array, sync = true): void {
  const fd = openSync(path, 'w');
  try {
    writeFileSync(fd, data);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a folder's entries (a file just created in it) to disk. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file so that readers see either the old content or the new, never a part.
 * `durable: false` skips the fsync: still atomic for readers, but a power cut may lose it.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, opts: { durable?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    writeDurable(tmp, data, opts.durable !== false);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Creates `path` with `data` only if it does not exist yet, atomically (write aside, then hard-link).
 * Returns false when another writer got there first. This is the commit primitive of the logs.
 */
export function createExclusive(path: string, data: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  writeDurable(tmp, data);
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/** True while a process with this pid exists (one owned by another user counts). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds a lock: the pid, and where the OS says so, when that process started and in which boot. */
interface LockHolder {
  pid: number;
  started?: string;
  boot?: string;
}

const readProc = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22), on Linux. */
function startTime(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function holderOf(pid: number): LockHolder {
  return { pid, started: startTime(pid), boot: readProc('/proc/sys/kernel/random/boot_id') };
}

/**
 * Whether the lock's holder still runs: its pid is alive and, where recorded, is the same process
 * (same start time, same boot). After a container restart or a long time, pids are reused: a live
 * process with the recorded pid but another start time or boot is not the holder.
 */
function holderAlive(text: string): LockHolder | null {
  let held: LockHolder;
  try {
    held = /^\d+$/.test(text) ? { pid: Number(text) } : (JSON.parse(text) as LockHolder);
  } catch {
    return null;
  }
  if (!Number.isInteger(held.pid) || held.pid <= 0 || held.pid === process.pid || !pidAlive(held.pid)) return null;
  const now = holderOf(held.pid);
  if (held.boot && now.boot && held.boot !== now.boot) return null;
  if (held.started && now.started && held.started !== now.started) return null;
  return held;
}

/**
 * This process, as a tag other processes can test with `processGone`: host, pid, start time, boot.
 * Records a long job (a training run) makes, so that the next job can tell it was killed.
 */
export function processTag(): string {
  return JSON.stringify({ host: hostname(), ...holderOf(process.pid) });
}

/**
 * True when `tag` (from `processTag`) names a process on this host that no longer runs (dead, or
 * its pid reused). False when it still runs, or runs elsewhere (no way to tell), or the tag is not ours.
 */
export function processGone(tag: string): boolean {
  let parsed: LockHolder & { host?: string };
  try {
    parsed = JSON.parse(tag) as LockHolder & { host?: string };
  } catch {
    return false;
  }
  if (parsed.host !== hostname() || !Number.isInteger(parsed.pid)) return false;
  if (parsed.pid === process.pid) return parsed.started !== holderOf(process.pid).started;
  return holderAlive(JSON.stringify(parsed)) === null;
}

/**
 * An advisory lock file naming its holder (pid, start time, boot id). A lock left by a process that
 * is gone — dead, or its pid now someone else's — is taken over. Returns the release function;
 * throws ConflictError while the holder runs.
 */
export function acquireLock(path: string, what: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createExclusive(path, JSON.stringify(holderOf(process.pid)))) return () => rmSync(path, { force: true });
    const holder = holderAlive(readFileSync(path, 'utf8').trim());
    if (holder) throw new ConflictError(`${what} is already running (pid ${holder.pid}, lock ${path})`);
    rmSync(path, { force: true });
  }
  throw new ConflictError(`could not take lock ${path}`);
}
