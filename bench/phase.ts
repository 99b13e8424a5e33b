// One benchmark phase in its own process, so peak RSS is that phase's alone. Prints one JSON line.
import { readdirSync, readFileSync } from 'node:fs';
import { Db } from '../pipelines/engine/duckdb/db';
import { silentLogger } from '../core/logger';
import { ingestBronze } from '../pipelines/bronze/ingest';
import { runMedallion } from '../pipelines/runner/medallion';
import { generate } from '../pipelines/data_gen/generate';
import { DEFAULT_DIRT, DEFAULT_START, SCALE_PRESETS } from '../pipelines/data_gen/options';
import type { Scale } from '../core/config';
import { main as fitlake } from '../cli/main';

/** Peak RSS of this process and all its descendants together (Spark's driver and JVM are children), sampled every 200 ms. */
function sampleTreeRss(): { stop: () => number } {
  let peak = 0;
  const sample = () => {
    const parent = new Map<number, number>();
    const rss = new Map<number, number>();
    for (const p of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        parent.set(Number(p), Number(f[1]));
        rss.set(Number(p), (Number(f[21]) * 4096) / 2 ** 20);
      } catch {
        // the process ended while listed
      }
    }
    const mine = (pid: number): boolean => pid === process.pid || (pid > 1 && parent.has(pid) && mine(parent.get(pid)!));
    peak = Math.max(peak, [...rss].filter(([pid]) => mine(pid)).reduce((a, [, mb]) => a + mb, 0));
  };
  const timer = setInterval(sample, 200);
  return { stop: () => (clearInterval(timer), sample(), peak) };
}

async function main(): Promise<void> {
  const [phase, root, scale, engine] = process.argv.slice(2) as ['generate' | 'ingest' | 'pipeline' | 'pipeline-full' | 'features' | 'train', string, Scale, 'duckdb' | 'spark' | undefined];
  const started = process.hrtime.bigint();
  const tree = sampleTreeRss();
  let rows = 0;
  let steps: unknown[] = [];
  if (phase === 'generate') {
    const p = SCALE_PRESETS[scale];
    rows = (await generate(root, { seed: 42, ...p, start: DEFAULT_START, timezone: 'America/New_York', dirt: DEFAULT_DIRT }, { logger: silentLogger, force: true })).lines;
  } else if (phase === 'features' || phase === 'train') {
    // the CLI's own commands, in this process (so their peak RSS is sampled)
    const on = engine ? ['--engine', engine] : [];
    const commands = phase === 'features' ? [['features', 'apply'], ['features', 'build', ...on], ['features', 'materialize']] : [['train', '--skip-prepare', ...on]];
    for (const c of commands) {
      const code = await fitlake(['node', 'fitlake', ...c, '--lakehouse', root, '--log-level', 'warn']);
      if (code !== 0) throw new Error(`fitlake ${c.join(' ')} exited with ${code}`);
    }
  } else if (phase.startsWith('pipeline')) {
    const settings = engine === 'spark' ? { engine: { type: 'spark' as const, master: 'local[2]' } } : {};
    const r = await runMedallion(root, { timezone: 'America/New_York', fullRefresh: phase === 'pipeline-full', duckdb: { memoryLimit: '2GB' }, ...settings }, { logger: silentLogger });
    steps = r.steps.filter((x) => x.action === 'built' || x.action === 'partial');
    rows = r.steps.reduce((a, x) => a + (x.action === 'built' ? x.rows : 0), 0);
  } else {
    const db = await Db.open({ memoryLimit: '1GB' });
    const r = await ingestBronze(root, { timezone: 'America/New_York', maxFilesPerBatch: 1000 }, { db, logger: silentLogger });
    rows = r.rows + r.quarantined;
    db.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMb = Math.max(process.resourceUsage().maxRSS / 1024, tree.stop());
  process.stdout.write(JSON.stringify({ phase, seconds, rows, steps, peakRssMb }) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e) + '\n');
  process.exit(1);
});
