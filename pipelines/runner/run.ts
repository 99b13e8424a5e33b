import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock } from '../../core/atomic_fs';
import { DataError, ValidationError } from '../../core/errors';
import { faultPoint } from '../../core/faults';
import type { Logger } from '../../core/logger';
import { lakePaths } from '../../core/paths';
import { noProgress, type Progress } from '../../core/progress';
import { BronzeLog } from '../bronze/log';
import type { Engine } from '../engine/engine';
import { loadModels, topoSort, type Model } from './models';
import { TableStore, type Pointer } from './table_store';

export interface StepReport {
  model: string;
  layer: 'silver' | 'gold';
  action: 'built' | 'skipped' | 'view';
  rows: number;
  seconds: number;
}

export interface PipelineDeps {
  engine: Engine;
  logger: Logger;
  progress?: Progress;
  now?: () => Date;
  /** Runs between building a layer and swapping it in; throwing keeps that layer's last good version. */
  beforeSwap?: (layer: 'silver' | 'gold', engine: Engine) => Promise<void>;
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
 * Runs the silver and gold models in dependency order. A table whose SQL and inputs are unchanged
 * since its current version is skipped (unless `fullRefresh`); others are built aside. Each layer is
 * swapped in only after `beforeSwap` (the quality gate) passes for it, silver before gold, so a failure
 * or crash leaves the previous tables readable.
 */
export async function runPipeline(root: string, opts: { fullRefresh: boolean; models?: Model[] }, deps: PipelineDeps): Promise<PipelineResult> {
  const paths = lakePaths(root);
  const release = acquireLock(join(root, '.pipeline.lock'), 'the pipeline');
  try {
    const models = topoSort(opts.models ?? loadModels());
    const log = BronzeLog.load(paths.bronzeLog);
    if (log.commits.length === 0) throw new ValidationError(`no bronze data under ${paths.bronze}: run \`fitlake ingest\` first`, 'lakehouse');
    const bronzeBatch = log.commits.at(-1)?.batch_id ?? 0;
    const feedBatch = new Map<string, number>();
    for (const c of log.commits) for (const src of c.sources) feedBatch.set(src.feed, c.batch_id);
    const stores = { silver: new TableStore(paths.silver), gold: new TableStore(paths.gold) };
    const fingerprints = new Map<string, string>();
    const staged: Record<'silver' | 'gold', Pointer[]> = { silver: [], gold: [] };
    const steps: StepReport[] = [];
    const progress = deps.progress ?? noProgress;
    progress.start('pipeline models', models.length);
    for (const layer of ['silver', 'gold'] as const) {
      for (const m of models.filter((x) => x.layer === layer)) {
        const inputs = m.depends.map((d) => `${d}@${d.startsWith('bronze_') ? (feedBatch.get(d.slice('bronze_'.length)) ?? 0) : fingerprints.get(d)}`);
        const fingerprint = hash([m.sql, m.materialized, ...inputs]);
        fingerprints.set(m.model, fingerprint);
        steps.push(await runModel(m, fingerprint, stores[layer], staged[layer], opts.fullRefresh, deps));
        progress.tick();
      }
      if (deps.beforeSwap) await deps.beforeSwap(layer, deps.engine);
      faultPoint(`pipeline.before_${layer}_swap`);
      for (const p of staged[layer]) stores[layer].swap(p);
    }
    progress.stop();
    return { steps, bronzeBatch };
  } finally {
    release();
  }
}

async function runModel(m: Model, fingerprint: string, store: TableStore, staged: Pointer[], fullRefresh: boolean, deps: PipelineDeps): Promise<StepReport> {
  const started = Date.now();
  const report = (action: StepReport['action'], rows: number): StepReport => ({ model: m.model, layer: m.layer, action, rows, seconds: (Date.now() - started) / 1000 });
  if (m.materialized === 'view') {
    try {
      await deps.engine.registerView(m.model, m.sql);
    } catch (e) {
      throw new DataError(`model ${m.model} (pipelines/models/${m.file}) failed: ${(e as Error).message.split('\n')[0]}`, e);
    }
    return report('view', 0);
  }
  const current = store.current(m.model);
  if (!fullRefresh && current && current.fingerprint === fingerprint) {
    await deps.engine.registerParquet(m.model, [store.currentFile(m.model)!]);
    deps.logger.debug({ model: m.model }, 'inputs unchanged; skipped');
    return report('skipped', current.rows);
  }
  const target = store.stage(m.model);
  let rows: number;
  try {
    rows = await deps.engine.writeParquet(m.sql, target.path);
  } catch (e) {
    rmSync(target.path, { force: true });
    throw new DataError(`model ${m.model} (pipelines/models/${m.file}) failed: ${(e as Error).message.split('\n')[0]}`, e);
  }
  await deps.engine.registerParquet(m.model, [target.path]);
  staged.push({ table: m.model, version: target.version, file: target.file, rows, fingerprint, built_at: (deps.now ?? (() => new Date()))().toISOString() });
  deps.logger.info({ model: m.model, rows, seconds: (Date.now() - started) / 1000 }, 'built');
  return report('built', rows);
}
