import { join, relative } from 'node:path';
import type { Engine } from '../../pipelines/engine/engine';
import type { Pointer } from '../../pipelines/runner/table_store';
import { sqlIdent, sqlString } from '../../pipelines/sql/quote';
import { hashBucket, md5Prefix } from '../../pipelines/sql/sample';
import { dayDigests, firstChangedDay, type DayDigests, type GroupState } from './day_digests';
import { spineGroupSql } from './group_sql';
import type { TableGroup } from './groups';
import { sourceFileSql } from './source_sql';
import { timestampStats } from './parquet_footer';
import { localDay } from '../../core/dates';

/** Spine rows per bucket by default: a group whose spine rows to build are more is built a bucket of keys at a time. */
export const DEFAULT_ROWS_PER_BUCKET = 10_000_000;
/** The column holding a key's MD5 prefix in spines and facts written for a bucketed build. */
const HASH = '_fitlake_key_md5';
/** The partition column of a group's table. */
export const MONTH = 'feature_month';

/** How many buckets of keys `spineRows` spine rows are built in (1 to 64). */
export function bucketsFor(spineRows: number, rowsPerBucket: number): number {
  return Math.max(1, Math.min(64, Math.ceil(spineRows / rowsPerBucket)));
}

/** A spine written once per build into scratch and registered under its name. */
export interface PreparedSpine {
  name: string;
  file: string;
  rows: number;
  /** Written with its key's MD5 prefix (sorted by it), so it can be built a bucket of keys at a time. */
  hashed: boolean;
  /** Its per-day digests, computed on first use. */
  digests?: DayDigests;
}

const allRows = (spine: string) => `${spine}__all`;

/** Points the spine's name at the rows matching `where` (`TRUE`: all of them). */
async function selectSpine(engine: Engine, spine: string, where: string): Promise<void> {
  await engine.execute(`CREATE OR REPLACE TEMP VIEW ${sqlIdent(spine)} AS SELECT * FROM ${sqlIdent(allRows(spine))} WHERE ${where}`);
}

/** Writes `sql`'s rows with their key's MD5 prefix, sorted by it, so a bucket's rows share row groups. */
async function writeHashed(engine: Engine, sql: string, key: string, path: string): Promise<number> {
  return engine.writeParquet(`SELECT *, ${md5Prefix(sqlIdent(key))} AS ${HASH} FROM (${sql}) AS rows_to_hash ORDER BY ${HASH}`, path);
}

/**
 * Writes a spine into `scratch` and registers it under its name (spines are prepared in declaration
 * order: a later one may read an earlier one). A spine keyed by an entity with more than
 * `rowsPerBucket` rows is written with its key's MD5 prefix, so each bucket reads its own row groups.
 */
export async function prepareSpine(engine: Engine, name: string, key: string | undefined, scratch: string, rowsPerBucket: number): Promise<PreparedSpine> {
  let file = join(scratch, `${name}.parquet`);
  const rows = await engine.writeParquet(sourceFileSql(name), file);
  const hashed = key !== undefined && rows > rowsPerBucket;
  if (hashed) {
    await engine.registerParquet(`${name}__raw`, [file]);
    file = join(scratch, `${name}.hashed.parquet`);
    await writeHashed(engine, `SELECT * FROM ${sqlIdent(`${name}__raw`)}`, key, file);
  }
  await engine.registerParquet(allRows(name), [file]);
  await selectSpine(engine, name, 'TRUE');
  return { name, file, rows, hashed };
}

/** What building one group decided and wrote. */
export interface GroupBuildResult {
  /** The new current version; null when no input changed (the table stays as it is). */
  pointer: Omit<Pointer, 'fingerprint' | 'built_at'> | null;
  state: Omit<GroupState, 'version'>;
  /** The first day rebuilt (absent: every day). */
  from?: string;
  /** Rows written by this build (the whole table's after a full build). */
  written: number;
}

interface Inputs {
  digests: Record<string, DayDigests>;
  /** Per windowed view, the table its facts were registered as. */
  facts: Map<string, string>;
}

/** Writes every windowed view's facts (once per facts file) and every declared change source once, and digests them by day. */
async function readInputs(engine: Engine, group: TableGroup, spine: PreparedSpine, scratch: string): Promise<Inputs> {
  spine.digests ??= await dayDigests(engine, `${spine.name}__digest`, [spine.file], 'date');
  const digests: Record<string, DayDigests> = { [`spine:${spine.name}`]: spine.digests };
  const facts = new Map<string, string>();
  const byFile = new Map<string, string>();
  for (const v of group.views) {
    const src = v.source;
    if (src.kind !== 'windowed' && !(src.kind === 'sql' && src.changes)) continue;
    if (src.kind === 'windowed' && byFile.has(src.file)) {
      facts.set(v.name, byFile.get(src.file)!); // one sweep per facts file: read and digested once
      continue;
    }
    const kind = src.kind === 'windowed' ? 'facts' : 'changes';
    const file = join(scratch, `${v.name}__${kind}.parquet`);
    const sql = sourceFileSql(src.kind === 'windowed' ? src.file : src.changes!);
    if (kind === 'facts' && spine.hashed) await writeHashed(engine, sql, group.key, file);
    else await engine.writeParquet(sql, file);
    const table = `${v.name}__${kind}`;
    digests[`${kind}:${v.name}`] = await dayDigests(engine, table, [file], kind === 'facts' ? 'avail' : 'day');
    if (src.kind === 'windowed') {
      facts.set(v.name, table);
      byFile.set(src.file, table);
    }
  }
  return { digests, facts };
}

/**
 * The first day to rebuild from the inputs' digests against the last build's: null when nothing
 * changed, undefined for a full build (no usable state, a changed definition, or a sql view that
 * declares no change source).
 */
function firstDay(group: TableGroup, inputs: Inputs, previous: GroupState | null, definition: string): string | null | undefined {
  if (!previous || previous.definition !== definition) return undefined;
  if (group.views.some((v) => v.source.kind === 'sql' && !v.source.changes)) return undefined;
  let first: string | null = null;
  for (const [name, now] of Object.entries(inputs.digests)) {
    const d = firstChangedDay(previous.digests[name] ?? {}, now);
    if (d !== null && (first === null || d < first)) first = d;
  }
  return first;
}

const dayLiteral = (day: string) => `DATE ${sqlString(day)}`;

/**
 * Builds a spine group's table, partitioned by month of feature_ts: in full, or — when the last
 * build's state says which days' inputs changed — from the first changed day on, rewriting only the
 * months from that day's on (rows before it kept as they were). A build in buckets of keys writes
 * each bucket's rows from that bucket's spine rows and facts only. Files are written beside the
 * current version's; nothing reads them until the caller swaps the returned pointer in.
 */
export async function buildGroup(
  engine: Engine,
  spec: { group: TableGroup; spine: PreparedSpine; scratch: string; tableDir: string; version: number; rowsPerBucket: number; timeZone: string },
  previous: { pointer: Pointer; state: GroupState } | null,
  definition: string,
): Promise<GroupBuildResult> {
  const { group, spine, tableDir, version } = spec;
  const inputs = await readInputs(engine, group, spine, spec.scratch);
  const state = { definition, digests: inputs.digests };
  const from = firstDay(group, inputs, previous?.state ?? null, definition);
  if (from === null) return { pointer: null, state, written: 0 };
  const since = from === undefined ? 'TRUE' : `date >= ${dayLiteral(from)}`;
  const [{ n }] = await engine.query<{ n: number }>(`SELECT count(*) AS n FROM ${sqlIdent(allRows(spine.name))} WHERE ${since}`);
  const buckets = spine.hashed ? bucketsFor(Number(n), spec.rowsPerBucket) : 1;
  const written: { partition: string; path: string; rows: number }[] = [];
  try {
    for (let b = 0; b < buckets; b++) {
      const bucket = hashBucket(HASH, b, buckets);
      await selectSpine(engine, spine.name, `${bucket} AND ${since}`);
      const facts = new Map([...inputs.facts].map(([view, table]) => [view, { table, where: buckets > 1 ? bucket : undefined }]));
      const sql = spineGroupSql(group.views, spine.name, group.key, { asof: engine.asofJoin, facts, from, month: true });
      written.push(...(await engine.writeParquetPartitioned(sql, tableDir, MONTH, `${version}-${b}`)));
    }
  } finally {
    await selectSpine(engine, spine.name, 'TRUE');
  }
  const partitions: NonNullable<Pointer['partitions']> = {};
  if (previous && from !== undefined) {
    const carry = await carryPlan(previous.pointer, tableDir, from, spec.timeZone);
    for (const [m, part] of carry.kept) partitions[m] = { files: [...part.files], rows: part.rows };
    if (carry.rewrite.length > 0) {
      await engine.registerParquet('_fitlake_carried', carry.rewrite.map((f) => join(tableDir, f)));
      written.push(...(await engine.writeParquetPartitioned(`SELECT * FROM _fitlake_carried WHERE feature_ts < fitlake_day_start(${dayLiteral(from)})`, tableDir, MONTH, `${version}-kept`)));
    }
  }
  for (const w of written) {
    const p = (partitions[w.partition] ??= { files: [], rows: 0 });
    p.files.push(relative(tableDir, w.path));
    p.rows += w.rows;
  }
  const rows = Object.values(partitions).reduce((s, p) => s + p.rows, 0);
  // an update keeps the rows before `from` as they were: only what it wrote needs verifying
  const wasGrid = from === undefined || previous?.pointer.properties?.daily_grid_zone === spec.timeZone;
  const grid = !wasGrid ? {} : written.length > 0 ? await gridProperties(engine, written.map((w) => w.path), group.key, spec.timeZone) : { daily_grid_zone: spec.timeZone };
  const properties = { ...grid, views: group.views.map((v) => v.name).join(',') };
  return {
    pointer: { table: group.table, version, file: '', partition_by: MONTH, partitions, rows, properties },
    state,
    from,
    written: written.reduce((s, w) => s + w.rows, 0),
  };
}

/** Files of a month partition holding more than this many after an update are rewritten as one. */
const MAX_FILES_PER_MONTH = 8;

/**
 * What an update from day `from` does with the current version's files: a file whose rows are all
 * before that day is kept as it is (so a daily update adds a small file instead of rewriting its
 * month), one whose rows all come on or after it is dropped, and the rows before that day of the
 * rest are rewritten — as are every file of a month that would otherwise hold too many.
 */
async function carryPlan(pointer: Pointer, tableDir: string, from: string, timeZone: string): Promise<{ kept: Map<string, { files: string[]; rows: number }>; rewrite: string[] }> {
  const kept = new Map<string, { files: string[]; rows: number }>();
  const rewrite: string[] = [];
  const month = `${from.slice(0, 7)}-01`;
  for (const [m, part] of Object.entries(pointer.partitions ?? {})) {
    if (m < month) {
      kept.set(m, part);
      continue;
    }
    const keep = { files: [] as string[], rows: 0 };
    for (const file of part.files) {
      const { rows, range } = await timestampStats(join(tableDir, file), 'feature_ts');
      if (range && localDay(range.max, timeZone) < from) {
        keep.files.push(file);
        keep.rows += rows;
      } else if (!range || localDay(range.min, timeZone) < from) rewrite.push(file);
    }
    if (keep.files.length + 2 > MAX_FILES_PER_MONTH) rewrite.push(...keep.files);
    else if (keep.files.length > 0) kept.set(m, keep);
  }
  return { kept, rewrite };
}

/**
 * Verifies whether freshly written files are a daily grid — unique (key, feature_ts), every
 * feature_ts a local midnight in `timeZone`, created_ts = feature_ts — and says so in properties.
 */
export async function gridProperties(engine: Engine, paths: string[], key: string, timeZone: string): Promise<Record<string, string>> {
  await engine.registerParquet('_fitlake_built', paths);
  const [r] = await engine.query<{ rows: number; keys: number; off: number }>(`SELECT count(*) AS rows,
      (SELECT count(*) FROM (SELECT DISTINCT ${sqlIdent(key)}, feature_ts FROM _fitlake_built) AS d) AS keys,
      count(*) FILTER (WHERE created_ts IS DISTINCT FROM feature_ts OR feature_ts <> fitlake_day_start(fitlake_local_date(feature_ts))) AS off
    FROM _fitlake_built`);
  return Number(r.rows) === Number(r.keys) && Number(r.off) === 0 ? { daily_grid_zone: timeZone } : {};
}
