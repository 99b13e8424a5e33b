import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, ValidationError } from '../../core/errors';

export const DELTA_LOG = '_delta_log';

/** A live data file of a Delta table version. */
export interface DeltaFile {
  /** Relative to the table folder (decoded from the log's URI-encoded form). */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  /** From the file's statistics, when the writer recorded them. */
  rows: number | null;
}

export interface DeltaSnapshot {
  version: number;
  files: DeltaFile[];
  partitionColumns: string[];
  /** The table's Spark schema (JSON), as its metadata states it. */
  schemaString: string;
}

/** One commit's provenance (`commitInfo`), for `fitlake pipeline history`. */
export interface DeltaCommit {
  version: number;
  timestamp: string;
  operation: string;
  parameters: Record<string, unknown>;
  metrics: Record<string, string>;
  userMetadata: string | null;
  engine: string | null;
}

/** Reader features a plain-Parquet reader may acknowledge without implementing anything. */
const HARMLESS_READER_FEATURES = new Set(['timestampNtz', 'vacuumProtocolCheck']);

interface LogListing {
  commits: Set<number>;
  /** Complete classic or multi-part checkpoints: version → files. */
  checkpoints: Map<number, string[]>;
}

/** True when `dir` holds a Delta table (a `_delta_log` with at least one commit or checkpoint). */
export function isDeltaTable(dir: string): boolean {
  if (!existsSync(join(dir, DELTA_LOG))) return false;
  const l = listLog(dir);
  return l.commits.size > 0 || l.checkpoints.size > 0;
}

function listLog(dir: string): LogListing {
  const commits = new Set<number>();
  const parts = new Map<string, { version: number; total: number; files: string[] }>();
  for (const name of readdirSync(join(dir, DELTA_LOG))) {
    let m = /^(\d{20})\.json$/.exec(name);
    if (m) commits.add(Number(m[1]));
    else if ((m = /^(\d{20})\.checkpoint\.parquet$/.exec(name))) parts.set(`${m[1]}`, { version: Number(m[1]), total: 1, files: [name] });
    else if ((m = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/.exec(name))) {
      const key = `${m[1]}/${Number(m[3])}`;
      const e = parts.get(key) ?? { version: Number(m[1]), total: Number(m[3]), files: [] };
      e.files.push(name);
      parts.set(key, e);
    }
  }
  const checkpoints = new Map<number, string[]>();
  for (const e of parts.values()) if (e.files.length === e.total) checkpoints.set(e.version, e.files.sort());
  return { commits, checkpoints };
}

const pad = (v: number) => String(v).padStart(20, '0');

/** The newest version of a Delta table. */
export function latestDeltaVersion(dir: string): number {
  const l = listLog(dir);
  const all = [...l.commits, ...l.checkpoints.keys()];
  if (all.length === 0) throw new DataError(`${dir} is not a Delta table: ${DELTA_LOG} holds no commit`);
  return Math.max(...all);
}

type Action = Record<string, Record<string, unknown> | null | undefined>;

function commitActions(dir: string, version: number): Action[] {
  const text = readFileSync(join(dir, DELTA_LOG, `${pad(version)}.json`), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Action);
}

async function checkpointActions(dir: string, files: string[]): Promise<Action[]> {
  const { parquetReadObjects } = await import('hyparquet');
  const out: Action[] = [];
  for (const f of files) {
    const buf = readFileSync(join(dir, DELTA_LOG, f));
    out.push(...((await parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) })) as Action[]));
  }
  return out;
}

function relativePath(dir: string, uri: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    if (!uri.startsWith('file:')) throw new DataError(`Delta table ${dir} names a data file outside the local file system (${uri}); fitlake reads local tables only`);
    const abs = fileURLToPath(uri.startsWith('file://') ? uri : `file://${uri.slice(5)}`);
    return abs.startsWith(dir + '/') ? abs.slice(dir.length + 1) : abs;
  }
  return decodeURIComponent(uri);
}

/**
 * The live files of a Delta table at `version` (default: the newest), by the protocol's action
 * reconciliation: the newest complete checkpoint at or before the version, then each JSON commit
 * after it, `add` minus `remove` by path. Refuses (DataError) tables needing reader features a plain
 * Parquet reader lacks (deletion vectors, column mapping, V2 checkpoints…).
 */
export async function readDeltaSnapshot(dir: string, version?: number): Promise<DeltaSnapshot> {
  const log = listLog(dir);
  const latest = latestDeltaVersion(dir);
  const target = version ?? latest;
  if (!Number.isInteger(target) || target < 0 || target > latest) throw new ValidationError(`version ${version}: the Delta table ${dir} has versions up to ${latest}`, 'version');
  const cp = Math.max(-1, ...[...log.checkpoints.keys()].filter((v) => v <= target));
  for (let v = cp + 1; v <= target; v++) {
    if (!log.commits.has(v)) throw new DataError(`Delta table ${dir}: commit ${v} is no longer in its log (cleaned up after a checkpoint), so version ${target} cannot be read`);
  }
  const files = new Map<string, DeltaFile>();
  const withDeletionVector = new Set<string>();
  let protocol: Record<string, unknown> | null = null;
  let meta: Record<string, unknown> | null = null;
  const apply = (a: Action, fromCheckpoint: boolean) => {
    if (a.protocol) protocol = a.protocol;
    if (a.metaData) meta = a.metaData;
    if (a.add) {
      const path = relativePath(dir, String(a.add.path));
      if (a.add.deletionVector) withDeletionVector.add(path);
      else withDeletionVector.delete(path);
      const stats = typeof a.add.stats === 'string' ? (JSON.parse(a.add.stats) as { numRecords?: number }) : null;
      files.set(path, { path, partitionValues: (a.add.partitionValues ?? {}) as Record<string, string | null>, size: Number(a.add.size), rows: stats?.numRecords ?? null });
    }
    if (a.remove && !fromCheckpoint) files.delete(relativePath(dir, String(a.remove.path)));
  };
  if (cp >= 0) for (const a of await checkpointActions(dir, log.checkpoints.get(cp)!)) apply(a, true);
  for (let v = cp + 1; v <= target; v++) for (const a of commitActions(dir, v)) apply(a, false);
  checkProtocol(dir, protocol, meta);
  if ([...files.keys()].some((p) => withDeletionVector.has(p))) {
    throw new DataError(`Delta table ${dir} uses deletion vectors, which fitlake's reader does not apply; rewrite it without them (REORG TABLE … APPLY (PURGE))`);
  }
  const m = meta as unknown as { partitionColumns?: string[]; schemaString?: string };
  return { version: target, files: [...files.values()].sort((a, b) => a.path.localeCompare(b.path)), partitionColumns: m.partitionColumns ?? [], schemaString: m.schemaString ?? '' };
}

function checkProtocol(dir: string, protocol: Record<string, unknown> | null, meta: Record<string, unknown> | null): void {
  if (!protocol || !meta) throw new DataError(`Delta table ${dir}: its log has no ${protocol ? 'metaData' : 'protocol'} action`);
  const reader = Number(protocol.minReaderVersion);
  const mapping = (meta.configuration as Record<string, string> | undefined)?.['delta.columnMapping.mode'] ?? 'none';
  const features = ((protocol.readerFeatures as string[] | null) ?? []).filter((f) => !HARMLESS_READER_FEATURES.has(f));
  if (reader > 3 || (reader >= 2 && mapping !== 'none') || (reader === 3 && features.length > 0)) {
    throw new DataError(`Delta table ${dir} needs reader version ${reader}${features.length ? ` with ${features.join(', ')}` : ''}${mapping !== 'none' ? ` and column mapping (${mapping})` : ''}, which fitlake's reader does not implement`);
  }
}

/** Every commit still in the log, oldest first, with its provenance. */
export function readDeltaHistory(dir: string): DeltaCommit[] {
  const out: DeltaCommit[] = [];
  for (const v of [...listLog(dir).commits].sort((a, b) => a - b)) {
    const info = commitActions(dir, v).find((a) => a.commitInfo)?.commitInfo ?? {};
    out.push({
      version: v,
      timestamp: new Date(Number(info.timestamp ?? 0)).toISOString(),
      operation: String(info.operation ?? 'UNKNOWN'),
      parameters: (info.operationParameters ?? {}) as Record<string, unknown>,
      metrics: (info.operationMetrics ?? {}) as Record<string, string>,
      userMetadata: typeof info.userMetadata === 'string' ? info.userMetadata : null,
      engine: typeof info.engineInfo === 'string' ? info.engineInfo : null,
    });
  }
  return out;
}
