// `npm run bench [-- --scale medium] [-- --only NAME]`: runs each benchmark, prints a table, writes bench/results/<name>.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';

interface PhaseResult {
  phase: string;
  seconds: number;
  rows: number;
  peakRssMb: number;
}

function phase(name: string, root: string, scale: string): PhaseResult {
  const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'phase.ts'), name, root, scale], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as PhaseResult;
}

function generateIngest(scale: string): Record<string, unknown> {
  const root = mkdtempSync(join(tmpdir(), 'fitlake-bench-'));
  try {
    const gen = phase('generate', root, scale);
    const ing = phase('ingest', root, scale);
    const total = gen.seconds + ing.seconds;
    const rows = [
      { step: 'generate', seconds: gen.seconds, events: gen.rows, eventsPerSec: gen.rows / gen.seconds, peakRssMb: gen.peakRssMb },
      { step: 'ingest (bronze)', seconds: ing.seconds, events: ing.rows, eventsPerSec: ing.rows / ing.seconds, peakRssMb: ing.peakRssMb },
      { step: 'total', seconds: total, events: gen.rows, eventsPerSec: gen.rows / total, peakRssMb: Math.max(gen.peakRssMb, ing.peakRssMb) },
    ];
    console.table(rows.map((r) => ({ ...r, seconds: r.seconds.toFixed(1), eventsPerSec: Math.round(r.eventsPerSec), peakRssMb: Math.round(r.peakRssMb) })));
    const targets = { totalSeconds: 60, peakRssMb: 2048 };
    console.log(`target: ≤ ${targets.totalSeconds} s and ≤ ${targets.peakRssMb} MB peak RSS → ${total <= targets.totalSeconds && rows[2].peakRssMb <= targets.peakRssMb ? 'met' : 'NOT met'}`);
    return { benchmark: 'generate_ingest', scale, rows, targets };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const BENCHMARKS: Record<string, (scale: string) => Record<string, unknown>> = { generate_ingest: generateIngest };

const program = new Command('bench')
  .description('run fitlake benchmarks; results go to bench/results/<name>.json')
  .option('--scale <scale>', 'data scale', 'medium')
  .option('--only <name>', `one of: ${Object.keys(BENCHMARKS).join(', ')}`)
  .action((opts: { scale: string; only?: string }) => {
    const names = opts.only ? [opts.only] : Object.keys(BENCHMARKS);
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    for (const name of names) {
      const bench = BENCHMARKS[name];
      if (!bench) throw new Error(`unknown benchmark ${name}`);
      console.log(`\n== ${name} (${opts.scale})`);
      const result = { ...bench(opts.scale), machine: { cpus: cpus().length, memGb: Math.round(totalmem() / 2 ** 30), node: process.version }, at: new Date().toISOString() };
      writeFileSync(join(__dirname, 'results', `${name}.json`), JSON.stringify(result, null, 2) + '\n');
    }
  });
program.parse(process.argv);
