import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
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

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * An advisory lock file holding the owner's pid. A lock left by a dead process is taken over.
 * Returns the release function; throws ConflictError while a live process holds it.
 */
export function acquireLock(path: string, what: string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    if (createExclusive(path, String(process.pid))) return () => rmSync(path, { force: true });
    const holder = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && pidAlive(holder) && holder !== process.pid) {
      throw new ConflictError(`${what} is already running (pid ${holder}, lock ${path})`);
    }
    rmSync(path, { force: true });
  }
  throw new ConflictError(`could not take lock ${path}`);
}
