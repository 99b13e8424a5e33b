import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { DataError, isAppError, ValidationError } from '../../core/errors';
import { faultPoint } from '../../core/faults';
import type { Logger } from '../../core/logger';
import { lakePaths } from '../../core/paths';
import { noProgress, type Progress } from '../../core/progress';
import type { BronzeLog } from '../bronze/log';
import type { Engine } from '../engine/engine';
import { newBronzeDates, parseLookup, partitionsTouchedByLookup, restrictSql, sameInputs, toGrain, type Rebuilt } from './incremental';
import { loadModels, topoSort, type Model } from './models';
import { commitToDelta } from './delta_commit';
import { TableStore, type Pointer } from './table_store';

export interface StepReport {
  model: string;
  layer: 'silver' | 'gold';
  action: 'built' | 'partial' | 'skipped' | 'view';
  rows: number;
  seconds: number;
  /** Partitions rebuilt, for a partial build. */
  partitions?: number;
}

export interface PipelineDeps {
  engine: Engine;
  logger: Logger;
  progress?: Progress;
  now?: () => Date;
  /** Runs between building a layer and swapping it in; throwing keeps that layer's last good version. */
  beforeSwap?: (
    layer: 'silver' | 'gold',
    engine: Engine,
    rebuilt: Rebuilt,
    models: Model[],
    rebuiltFiles: Record<string, string[]>,
    /** Newest partition value of each partitioned table's new version. */
    newest: Record<string, string>,
  ) => Promise<void>;
}

export interface PipelineResult {
  steps: StepReport[];
  /** Bronze batch the run read up to. */
  bronzeBatch: number;
}

function hash(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/**
 * How tables are laid out in their files; part of every fingerprint, so a change rebuilds them.
 * A partitioned table's partition column comes last (where Spark's partitioned writers put it).
 */
const LAYOUT = 'partition-column-last';

function sqlHash(m: Model): string {
  return hash([m.sql + m.partition_grain, LAYOUT]);
}

interface RunState {
  log: BronzeLog;
  feedBatch: Map<string, number>;
  fingerprints: Map<string, string>;
  rebuilt: Rebuilt;
  byName: Map<string, Model>;
  stores: Record<'silver' | 'gold', TableStore>;
  fullRefresh: boolean;
  /** Each table's fingerprint when the run started (before any swap). */
  started: Map<string, string>;
}

/**
 * Runs the silver and gold models in dependency order over one bronze snapshot (`opts.bronze`, read
 * once under the pipeline lock by the caller, the same snapshot the engine's bronze views show). A table whose SQL and inputs are unchanged
 * is skipped (unless `fullRefresh`). A partitioned table rebuilds only the partitions its new inputs
 * touch: dates of new bronze batches, partitions its partitioned inputs rebuilt, and partitions
 * holding keys whose lookup rows changed; anything else (new SQL, another input changed) rebuilds it
 * whole. Everything is built aside; each layer is swapped in only after `beforeSwap` (the quality
 * gate) passes, silver before gold, each layer in one atomic step (its manifest), so a failure or
 * crash leaves the previous layer readable whole.
 */
export async function runPipeline(root: string, opts: { fullRefresh: boolean; models?: Model[]; bronze: BronzeLog; runId?: string }, deps: PipelineDeps): Promise<PipelineResult> {
  const paths = lakePaths(root);
  const log = opts.bronze;
  const models = topoSort(opts.models ?? loadModels());
  const feedBatch = new Map<string, number>();
  for (const c of log.commits) for (const src of c.sources) feedBatch.set(src.feed, c.batch_id);
  const state: RunState = {
    log,
    feedBatch,
    fingerprints: new Map(),
    rebuilt: new Map(),
    byName: new Map(models.map((m) => [m.model, m])),
    stores: { silver: new TableStore(paths.silver), gold: new TableStore(paths.gold) },
    fullRefresh: opts.fullRefresh,
    started: new Map(),
  };
  for (const store of Object.values(state.stores)) for (const [t, p] of Object.entries(store.snapshot())) state.started.set(t, p.fingerprint);
  const leftovers = state.stores.silver.removeStaging() + state.stores.gold.removeStaging();
  if (leftovers > 0) deps.logger.warn({ folders: leftovers }, 'removed build folders left by an interrupted run');
  const staged: Record<'silver' | 'gold', Pointer[]> = { silver: [], gold: [] };
  const steps: StepReport[] = [];
  const progress = deps.progress ?? noProgress;
  progress.start('pipeline models', models.length);
  for (const layer of ['silver', 'gold'] as const) {
    for (const m of models.filter((x) => x.layer === layer)) {
      steps.push(await runModel(m, state, staged[layer], deps));
      progress.tick();
    }
    if (deps.beforeSwap) await deps.beforeSwap(layer, deps.engine, state.rebuilt, models, rebuiltFiles(staged[layer], state), newestPartitions(models, staged[layer], state));
    faultPoint(`pipeline.before_${layer}_swap`);
    await swapLayer(layer, state, staged[layer], deps.engine, opts.runId);
  }
  progress.stop();
  return { steps, bronzeBatch: log.commits.at(-1)!.batch_id };
}

/** Swaps a layer in: on a Delta engine, each table is committed first and then read back from its log. */
async function swapLayer(layer: 'silver' | 'gold', s: RunState, staged: Pointer[], engine: Engine, runId?: string): Promise<void> {
  const store = s.stores[layer];
  if (engine.tableFormat === 'files') return store.swap(staged);
  const ready = await commitToDelta(engine, store, staged, s.rebuilt, JSON.stringify({ fitlake_run: runId ?? null, layer }));
  store.swap(ready);
  for (const p of ready) {
    const files = store.files(p);
    if (files.length > 0) await engine.registerParquet(p.table, files);
  }
}

/** Files of the partitions each partially rebuilt table wrote in this run (absolute paths). */
function rebuiltFiles(staged: Pointer[], s: RunState): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of staged) {
    const r = s.rebuilt.get(p.table);
    if (!p.partitions || r === undefined || r === 'all') continue;
    const store = s.stores[s.byName.get(p.table)!.layer];
    out[p.table] = store.files({ ...p, partitions: Object.fromEntries([...r].filter((v) => p.partitions![v]).map((v) => [v, p.partitions![v]])) });
  }
  return out;
}

function newestPartitions(models: Model[], staged: Pointer[], s: RunState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of models.filter((x) => x.partition_by)) {
    const p = staged.find((x) => x.table === m.model) ?? s.stores[m.layer].current(m.model);
    const keys = Object.keys(p?.partitions ?? {}).sort();
    if (keys.length > 0) out[m.model] = keys[keys.length - 1];
  }
  return out;
}

function inputVersions(m: Model, s: RunState): Record<string, string> {
  return Object.fromEntries(m.depends.map((d) => [d, d.startsWith('bronze_') ? String(s.feedBatch.get(d.slice(7)) ?? 0) : (s.fingerprints.get(d) ?? '')]));
}

async function runModel(m: Model, s: RunState, staged: Pointer[], deps: PipelineDeps): Promise<StepReport> {
  const started = Date.now();
  const report = (action: StepReport['action'], rows: number, partitions?: number): StepReport => ({ model: m.model, layer: m.layer, action, rows, seconds: (Date.now() - started) / 1000, ...(partitions === undefined ? {} : { partitions }) });
  const inputs = inputVersions(m, s);
  const fingerprint = hash([m.sql, m.materialized, m.partition_by ?? '', LAYOUT, ...Object.entries(inputs).map(([k, v]) => `${k}@${v}`)]);
  s.fingerprints.set(m.model, fingerprint);
  const fail = (e: unknown) =>
    isAppError(e) && e.code === 'invalid_input'
      ? new ValidationError(`model ${m.model} (pipelines/models/${m.file}) does not run on ${deps.engine.name}: ${e.message.split('\n')[0]}`, 'sql', e)
      : new DataError(`model ${m.model} (pipelines/models/${m.file}) failed: ${(e as Error).message.split('\n')[0]}`, e);
  if (m.materialized === 'view') {
    await deps.engine.registerView(m.model, m.sql).catch((e) => Promise.reject(fail(e)));
    s.rebuilt.set(m.model, 'all');
    return report('view', 0);
  }
  const store = s.stores[m.layer];
  const current = store.current(m.model);
  if (!s.fullRefresh && current && current.fingerprint === fingerprint) {
    await deps.engine.registerParquet(m.model, store.files(current));
    s.rebuilt.set(m.model, new Set());
    return report('skipped', current.rows);
  }
  const base = { table: m.model, fingerprint, built_at: (deps.now ?? (() => new Date()))().toISOString(), sql_hash: sqlHash(m), inputs, bronze_batches: bronzeBatches(m, s) };
  try {
    if (m.partition_by) {
      const partial = current && !s.fullRefresh ? await affectedPartitions(m, current, s, deps.engine) : null;
      const pointer = await buildPartitioned(m, partial, current, store, base, s, deps.engine);
      staged.push(pointer);
      s.rebuilt.set(m.model, partial ?? 'all');
      deps.logger.info({ model: m.model, rows: pointer.rows, partitions: partial?.size ?? 'all' }, partial ? 'rebuilt partitions' : 'built');
      return report(partial ? 'partial' : 'built', pointer.rows, partial?.size);
    }
    const target = store.stage(m.model);
    const rows = await deps.engine.writeParquet(m.sql, target.path).catch((e) => {
      rmSync(target.path, { force: true });
      throw e;
    });
    await deps.engine.registerParquet(m.model, [target.path]);
    staged.push({ ...base, version: target.version, file: target.file, rows });
    s.rebuilt.set(m.model, 'all');
    deps.logger.info({ model: m.model, rows, seconds: (Date.now() - started) / 1000 }, 'built');
    return report('built', rows);
  } catch (e) {
    throw isAppError(e) && e.message.startsWith('model ') ? e : fail(e);
  }
}

function bronzeBatches(m: Model, s: RunState): Record<string, number> {
  return Object.fromEntries(m.depends.filter((d) => d.startsWith('bronze_')).map((d) => [d.slice(7), s.feedBatch.get(d.slice(7)) ?? 0]));
}

/** The partitions to rebuild, or null when the table must be rebuilt whole. */
async function affectedPartitions(m: Model, current: Pointer, s: RunState, engine: Engine): Promise<Set<string> | null> {
  if (!current.partitions || current.sql_hash !== sqlHash(m) || current.partition_by !== m.partition_by) return null;
  const lookups = (m.lookups ?? []).map(parseLookup);
  const out = new Set<string>();
  const ignore = new Set<string>();
  for (const d of m.depends) {
    if (d.startsWith('bronze_')) {
      const feed = d.slice(7);
      const done = current.bronze_batches?.[feed];
      if (done === undefined) return null;
      for (const v of newBronzeDates(s.log, feed, done)) out.add(toGrain(v, m.partition_grain));
      ignore.add(d);
      continue;
    }
    const input = s.byName.get(d)!;
    const rebuilt = s.rebuilt.get(d);
    if (input.partition_by) {
      // the partitions this run rebuilt are the whole change only if the table was built from the
      // input's version at the start of this run (a crash between layers leaves it a version behind)
      if (rebuilt === 'all' || current.inputs?.[d] !== s.started.get(d)) return null;
      for (const v of rebuilt ?? []) out.add(toGrain(v, m.partition_grain));
      ignore.add(d);
      continue;
    }
    const lookup = lookups.find((l) => l.name === d);
    if (!lookup || current.inputs?.[d] === s.fingerprints.get(d)) continue;
    const store = s.stores[input.layer];
    const previous = store.current(d);
    if (!previous) return null;
    for (const v of await partitionsTouchedByLookup(engine, lookup, store.files(previous), { files: s.stores[m.layer].files(current), partitionBy: m.partition_by!, grain: m.partition_grain })) out.add(v);
    ignore.add(d);
  }
  return sameInputs(current, inputVersions(m, s), ignore) ? out : null;
}

async function buildPartitioned(m: Model, partial: Set<string> | null, current: Pointer | null, store: TableStore, base: Omit<Pointer, 'version' | 'file' | 'rows'>, s: RunState, engine: Engine): Promise<Pointer> {
  const target = store.stage(m.model);
  const tableDir = dirname(target.path);
  const partitions: NonNullable<Pointer['partitions']> = partial && current?.partitions ? { ...current.partitions } : {};
  if (partial) for (const p of partial) delete partitions[p];
  if (!partial || partial.size > 0) {
    const body = partial ? restrictSql(m, partial, (d) => s.byName.get(d)?.partition_by) : m.sql;
    const sql = `SELECT * EXCLUDE (${m.partition_by}), ${m.partition_by} FROM (${body})`;
    const stage = join(tableDir, `_staging-${target.version}`);
    rmSync(stage, { recursive: true, force: true });
    try {
      const files = await engine.writeParquetPartitioned(sql, stage, m.partition_by!, String(target.version));
      files.sort((a, b) => a.path.localeCompare(b.path));
      for (const f of files) {
        const rel = relative(stage, f.path);
        mkdirSync(dirname(join(tableDir, rel)), { recursive: true });
        renameSync(f.path, join(tableDir, rel));
        const part = (partitions[f.partition] ??= { files: [], rows: 0 });
        part.files.push(rel);
        part.rows += f.rows;
      }
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  }
  const pointer: Pointer = { ...base, version: target.version, file: '', rows: Object.values(partitions).reduce((a, p) => a + p.rows, 0), partition_by: m.partition_by, partitions };
  const files = store.files(pointer);
  if (files.length > 0) await engine.registerParquet(m.model, files);
  else await engine.registerView(m.model, `SELECT * FROM (${m.sql}) WHERE false`);
  return pointer;
}
