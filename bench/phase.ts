// One benchmark phase in its own process, so peak RSS is that phase's alone. Prints one JSON line.
import { Db } from '../pipelines/engine/duckdb/db';
import { silentLogger } from '../core/logger';
import { ingestBronze } from '../pipelines/bronze/ingest';
import { runMedallion } from '../pipelines/runner/medallion';
import { generate } from '../pipelines/data_gen/generate';
import { DEFAULT_DIRT, DEFAULT_START, SCALE_PRESETS } from '../pipelines/data_gen/options';
import type { Scale } from '../core/config';

async function main(): Promise<void> {
  const [phase, root, scale] = process.argv.slice(2) as ['generate' | 'ingest' | 'pipeline' | 'pipeline-full', string, Scale];
  const started = process.hrtime.bigint();
  let rows = 0;
  let steps: unknown[] = [];
  if (phase === 'generate') {
    const p = SCALE_PRESETS[scale];
    rows = generate(root, { seed: 42, ...p, start: DEFAULT_START, timezone: 'America/New_York', dirt: DEFAULT_DIRT }, { logger: silentLogger, force: true }).lines;
  } else if (phase.startsWith('pipeline')) {
    const r = await runMedallion(root, { timezone: 'America/New_York', fullRefresh: phase === 'pipeline-full', duckdb: { memoryLimit: '2GB' } }, { logger: silentLogger });
    steps = r.steps.filter((x) => x.action === 'built' || x.action === 'partial');
    rows = r.steps.reduce((a, x) => a + (x.action === 'built' ? x.rows : 0), 0);
  } else {
    const db = await Db.open({ memoryLimit: '1GB' });
    const r = await ingestBronze(root, { timezone: 'America/New_York', maxFilesPerBatch: 1000 }, { db, logger: silentLogger });
    rows = r.rows + r.quarantined;
    db.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ phase, seconds, rows, steps, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e) + '\n');
  process.exit(1);
});
