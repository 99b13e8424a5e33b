import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempSibling, writeFileAtomic } from '../../core/atomic_fs';
import { jsonLinesToParquet } from '../engine/duckdb/local_files';
import { QualityError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Engine } from '../engine/engine';
import type { Rebuilt } from '../runner/incremental';
import type { Model } from '../runner/models';
import { BronzeLog } from '../bronze/log';
import { lakePaths } from '../../core/paths';
import { runChecks, type KnownFacts, type Scope } from './check';
import { GOLD_EXPECTATIONS, SILVER_EXPECTATIONS, type Expectation } from './expectations';
import { outcomeOf, writeQualityRun, type LayerResult, type QualityRun } from './report';

/** Bronze row counts per feed and date, and each feed's newest date, from the commit log. */
function bronzeFacts(log: BronzeLog): Required<Pick<KnownFacts, 'bronzeNewest' | 'bronzeRows'>> {
  const rows = new Map<string, Map<string, number>>();
  for (const c of log.commits) {
    for (const o of c.outputs) {
      const date = /date=(\d{4}-\d{2}-\d{2})/.exec(o.path)?.[1];
      if (!date) continue;
      const byDate = rows.get(o.table) ?? new Map<string, number>();
      byDate.set(date, (byDate.get(date) ?? 0) + o.rows);
      rows.set(o.table, byDate);
    }
  }
  return {
    bronzeNewest: (feed) => [...(rows.get(feed)?.keys() ?? [])].sort().at(-1),
    bronzeRows: (feed, dates) => dates.reduce((a, d) => a + (rows.get(feed)?.get(d) ?? 0), 0),
  };
}

/**
 * The quality gate between building a layer and swapping it in. Checks the layer's expectations,
 * records every result (JSON, HTML, and a Parquet table under quality/results/), and throws
 * QualityError when an `error` expectation fails, so the last good tables stay current.
 */
export function qualityGate(root: string, runId: string, startedAt: string, logger: Logger, expectations = { silver: SILVER_EXPECTATIONS, gold: GOLD_EXPECTATIONS }) {
  const results: LayerResult[] = [];
  const record = async (): Promise<QualityRun> => {
    const run: QualityRun = { run_id: runId, started_at: startedAt, outcome: outcomeOf(results), results };
    const dir = writeQualityRun(root, run);
    const jsonl = join(dir, 'results.jsonl');
    writeFileAtomic(jsonl, results.map((r) => JSON.stringify({ run_id: runId, started_at: startedAt, ...r })).join('\n') + '\n');
    const table = join(root, 'quality', 'results', `${runId}.parquet`);
    mkdirSync(dirname(table), { recursive: true });
    const tmp = tempSibling(table);
    await jsonLinesToParquet(jsonl, tmp, 'layer, "table", kind, description');
    renameSync(tmp, table);
    return run;
  };
  return {
    results,
    async check(layer: 'silver' | 'gold', engine: Engine, rebuilt?: Rebuilt, models?: Model[], files?: Record<string, string[]>, newest?: Record<string, string>): Promise<void> {
      const list: Expectation[] = expectations[layer];
      const partitionBy = new Map((models ?? []).filter((m) => m.partition_by).map((m) => [m.model, m.partition_by!]));
      const scopeOf = (table: string): Scope | null | undefined => {
        const column = partitionBy.get(table);
        const r = rebuilt?.get(table);
        if (!column || r === undefined || r === 'all') return undefined;
        return r.size === 0 ? null : { column, values: [...r].sort(), files };
      };
      const log = BronzeLog.load(lakePaths(root).bronzeLog);
      for (const r of await runChecks(engine, list, scopeOf, { newest: (t) => newest?.[t], ...bronzeFacts(log) })) {
        results.push({ ...r, layer });
        if (!r.passed) logger[r.severity === 'error' ? 'error' : 'warn']({ layer, table: r.table, check: r.description, failing: r.failing, details: r.details }, 'expectation failed');
      }
      const run = await record();
      const errors = results.filter((r) => r.layer === layer && !r.passed && r.severity === 'error');
      if (errors.length > 0) {
        throw new QualityError(
          `${errors.length} ${layer} expectation(s) failed; ${layer} not swapped in (last good version kept): ${errors.map((e) => `${e.table}: ${e.description} (${e.failing} failing)`).join('; ')}. Report: quality/runs/${run.run_id}/report.html`,
        );
      }
    },
  };
}
