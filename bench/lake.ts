import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
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

/** The generator's data days (`_truth/manifest.json`), oldest first. */
function dataDays(root: string): string[] {
  const files = JSON.parse(readFileSync(join(root, '_truth', 'manifest.json'), 'utf8')).files as { date: string }[];
  return [...new Set(files.map((f) => f.date))].sort();
}

/** Moves the landing files of the data's last `n` days aside (`<root>/aside-<day>/`); returns those days, oldest first. */
export function holdBackDays(root: string, n: number): string[] {
  const days = dataDays(root).slice(-n);
  const landing = join(root, 'landing');
  for (const day of days) {
    for (const feed of readdirSync(landing)) {
      for (const f of readdirSync(join(landing, feed)).filter((x) => x.includes(day))) {
        mkdirSync(join(root, `aside-${day}`, feed), { recursive: true });
        renameSync(join(landing, feed, f), join(root, `aside-${day}`, feed, f));
      }
    }
  }
  return days;
}

/** Puts a held-back day's landing files back. */
export function bringBack(root: string, day: string): void {
  const aside = join(root, `aside-${day}`);
  for (const feed of readdirSync(aside)) for (const f of readdirSync(join(aside, feed))) renameSync(join(aside, feed, f), join(root, 'landing', feed, f));
}
