import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface PhaseResult {
  phase: string;
  seconds: number;
  rows: number;
  peakRssMb: number;
  steps: { model: string; rows: number; seconds: number }[];
}

/** Runs one phase (bench/phase.ts) in its own process, so its peak RSS is its own. */
export function phase(name: string, root: string, scale: string, engine?: 'duckdb' | 'spark'): PhaseResult {
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'phase.ts'), name, root, scale, ...(engine ? [engine] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as PhaseResult;
}

/** Generates, ingests and runs the pipeline into `root` (a full lakehouse at `scale`). */
export function buildLake(root: string, scale: string): void {
  phase('generate', root, scale);
  phase('ingest', root, scale);
  phase('pipeline-full', root, scale);
}
