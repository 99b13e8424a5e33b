import { join } from 'node:path';
import { acquireLock } from '../../core/atomic_fs';
import type { Config } from '../../core/config';
import { ValidationError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { lakePaths } from '../../core/paths';
import type { Progress } from '../../core/progress';
import { BronzeLog } from '../bronze/log';
import { openEngine, type EngineSettings } from '../engine/create';
import { qualityGate } from '../quality/gate';
import type { LayerResult } from '../quality/report';
import type { Model } from './models';
import { runPipeline, type PipelineResult } from './run';

export interface MedallionResult extends PipelineResult {
  runId: string;
  quality: LayerResult[];
}

/** A run id from the clock: 20260102T030405Z. */
export function runIdFor(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * bronze → silver → gold on the configured engine, with the quality gate before each swap. Under
 * the pipeline lock, the bronze log is read once: the engine's bronze views and the runner's record
 * of what was read come from that one snapshot, so a batch ingested meanwhile waits for the next run.
 */
export async function runMedallion(
  root: string,
  opts: { timezone: string; fullRefresh: boolean; duckdb?: Config['duckdb']; engine?: Config['engine']; models?: Model[]; expectations?: Parameters<typeof qualityGate>[4] },
  deps: { logger: Logger; progress?: Progress; now?: () => Date },
): Promise<MedallionResult> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const runId = runIdFor(started);
  const release = acquireLock(join(root, '.pipeline.lock'), 'the pipeline');
  try {
    const paths = lakePaths(root);
    const bronze = BronzeLog.load(paths.bronzeLog);
    if (bronze.commits.length === 0) throw new ValidationError(`no bronze data under ${paths.bronze}: run \`fitlake ingest\` first`, 'lakehouse');
    const settings: EngineSettings = { timezone: opts.timezone, duckdb: opts.duckdb ?? { memoryLimit: '2GB' }, engine: opts.engine };
    const engine = await openEngine(root, settings, { bronze });
    const gate = qualityGate(root, runId, started.toISOString(), deps.logger, opts.expectations);
    try {
      const result = await runPipeline(
        root,
        { fullRefresh: opts.fullRefresh, models: opts.models, bronze, runId },
        { engine, logger: deps.logger, progress: deps.progress, now, beforeSwap: (layer, e, rebuilt, models, files, newest) => gate.check(layer, e, rebuilt, models, files, newest) },
      );
      return { ...result, runId, quality: gate.results };
    } finally {
      engine.close();
    }
  } finally {
    release();
  }
}
