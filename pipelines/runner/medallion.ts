import type { Config } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { Progress } from '../../core/progress';
import { DuckDbEngine } from '../engine/duckdb_engine';
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

/** bronze → silver → gold on the embedded DuckDB engine, with the quality gate before each swap. */
export async function runMedallion(
  root: string,
  opts: { timezone: string; fullRefresh: boolean; duckdb?: Config['duckdb']; models?: Model[]; expectations?: Parameters<typeof qualityGate>[4] },
  deps: { logger: Logger; progress?: Progress; now?: () => Date },
): Promise<MedallionResult> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const runId = runIdFor(started);
  const engine = await DuckDbEngine.open(root, opts.timezone, opts.duckdb ? { duckdb: opts.duckdb } : undefined);
  const gate = qualityGate(root, runId, started.toISOString(), deps.logger, opts.expectations);
  try {
    const result = await runPipeline(
      root,
      { fullRefresh: opts.fullRefresh, models: opts.models },
      { engine, logger: deps.logger, progress: deps.progress, now, beforeSwap: (layer, e, rebuilt, models, files, newest) => gate.check(layer, e, rebuilt, models, files, newest) },
    );
    return { ...result, runId, quality: gate.results };
  } finally {
    engine.close();
  }
}
