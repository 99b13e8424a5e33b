// `npm run bench [-- --scale medium] [-- --only NAME]`: runs each benchmark, prints a table, writes bench/results/<name>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { dashboard } from './dashboard';
import { endToEnd } from './end_to_end';
import { engines, lastDay } from './engines';
import { featureStore } from './feature_store';
import { onlineEmbedded } from './online_embedded';
import { onlineRedis } from './online_redis';
import { phase } from './lake';
import { training } from './training';
import { stream } from './stream';

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

function pipeline(scale: string): Record<string, unknown> {
  const root = mkdtempSync(join(tmpdir(), 'fitlake-bench-'));
  try {
    phase('generate', root, scale);
    lastDay(root, false);
    phase('ingest', root, scale);
    const full = phase('pipeline-full', root, scale);
    lastDay(root, true);
    const ingest = phase('ingest', root, scale);
    const incr = phase('pipeline', root, scale);
    const perStep = full.steps.map((s) => ({ step: s.model, fullSeconds: s.seconds, rows: s.rows, rowsPerSec: Math.round(s.rows / Math.max(s.seconds, 1e-3)), incrementalSeconds: incr.steps.find((x) => x.model === s.model)?.seconds ?? 0 }));
    console.table(perStep.map((r) => ({ ...r, fullSeconds: r.fullSeconds.toFixed(2), incrementalSeconds: r.incrementalSeconds.toFixed(2) })));
    const rows = [
      { run: 'full refresh (bronze → gold, quality gate)', seconds: full.seconds, peakRssMb: full.peakRssMb, rowsWritten: full.rows },
      { run: 'ingest of one more day', seconds: ingest.seconds, peakRssMb: ingest.peakRssMb, rowsWritten: ingest.rows },
      { run: 'incremental day (bronze → gold)', seconds: incr.seconds, peakRssMb: incr.peakRssMb, rowsWritten: incr.rows },
    ];
    console.table(rows.map((r) => ({ ...r, seconds: r.seconds.toFixed(1), peakRssMb: Math.round(r.peakRssMb) })));
    const targets = { fullSeconds: 60, fullPeakRssMb: 4096, incrementalSeconds: 5 };
    console.log(`targets: full ≤ 60 s → ${full.seconds <= 60 ? 'met' : 'NOT met'}; ≤ 4 GB → ${full.peakRssMb <= 4096 ? 'met' : 'NOT met'}; incremental day ≤ 5 s → ${incr.seconds <= 5 ? 'met' : 'NOT met'}`);
    return { benchmark: 'pipeline', scale, rows, perStep, targets };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const BENCHMARKS: Record<string, (scale: string) => Record<string, unknown> | Promise<Record<string, unknown>>> = { generate_ingest: generateIngest, pipeline, engines, feature_store: featureStore, online_embedded: onlineEmbedded, online_redis: onlineRedis, training, end_to_end: endToEnd, stream, dashboard };

const program = new Command('bench')
  .description('run fitlake benchmarks; results go to bench/results/<name>.json')
  .option('--scale <scale>', 'data scale', 'medium')
  .option('--only <name>', `one of: ${Object.keys(BENCHMARKS).join(', ')}`)
  .action(async (opts: { scale: string; only?: string }) => {
    const names = opts.only ? [opts.only] : Object.keys(BENCHMARKS);
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    for (const name of names) {
      const bench = BENCHMARKS[name];
      if (!bench) throw new Error(`unknown benchmark ${name}`);
      console.log(`\n== ${name} (${opts.scale})`);
      const result = { ...(await bench(opts.scale)), machine: { cpus: cpus().length, memGb: Math.round(totalmem() / 2 ** 30), node: process.version }, at: new Date().toISOString() };
      writeFileSync(join(__dirname, 'results', `${name}.json`), JSON.stringify(result, null, 2) + '\n');
    }
  });
void program.parseAsync(process.argv);
