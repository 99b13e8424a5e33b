import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../core/atomic_fs';
import { NotFoundError } from '../../core/errors';
import type { CheckResult } from './check';

export const QualityRunSchema = z
  .object({
    run_id: z.string(),
    started_at: z.string(),
    outcome: z.enum(['passed', 'warned', 'failed']),
    results: z.array(
      z.object({
        layer: z.enum(['silver', 'gold']),
        table: z.string(),
        kind: z.string(),
        description: z.string(),
        severity: z.enum(['error', 'warn']),
        passed: z.boolean(),
        failing: z.number(),
        details: z.string(),
      }),
    ),
  })
  .strict();
export type QualityRun = z.infer<typeof QualityRunSchema>;
export type LayerResult = CheckResult & { layer: 'silver' | 'gold' };

export function qualityDir(root: string): string {
  return join(root, 'quality', 'runs');
}

export function outcomeOf(results: LayerResult[]): QualityRun['outcome'] {
  if (results.some((r) => !r.passed && r.severity === 'error')) return 'failed';
  return results.some((r) => !r.passed) ? 'warned' : 'passed';
}

/** Writes `quality/runs/<run>/results.json` and `report.html` atomically. Returns the run folder. */
export function writeQualityRun(root: string, run: QualityRun): string {
  const dir = join(qualityDir(root), run.run_id);
  writeFileAtomic(join(dir, 'results.json'), JSON.stringify(run, null, 1) + '\n');
  writeFileAtomic(join(dir, 'report.html'), renderHtml(run));
  return dir;
}

export function readQualityRun(root: string, runId?: string): QualityRun {
  const base = qualityDir(root);
  const runs = existsSync(base) ? readdirSync(base).filter((n) => existsSync(join(base, n, 'results.json'))).sort() : [];
  const id = runId ?? runs.at(-1);
  if (!id || !runs.includes(id)) throw new NotFoundError(runId ? `no quality run ${runId} under ${base}` : `no quality runs under ${base}; run \`fitlake pipeline run\` first`, 'run');
  return QualityRunSchema.parse(JSON.parse(readFileSync(join(base, id, 'results.json'), 'utf8')));
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function renderHtml(run: QualityRun): string {
  const rows = run.results
    .map(
      (r) =>
        `<tr class="${r.passed ? 'pass' : r.severity}"><td>${r.layer}</td><td>${esc(r.table)}</td><td>${esc(r.description)}</td><td>${r.severity}</td><td>${r.passed ? 'pass' : 'FAIL'}</td><td>${r.failing}</td><td>${esc(r.details)}</td></tr>`,
    )
    .join('\n');
  const failed = run.results.filter((r) => !r.passed).length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fitlake data quality — ${esc(run.run_id)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
tr.pass td:nth-child(5){color:#1a7f37}tr.error{background:#ffebe9}tr.warn{background:#fff8c5}.outcome{font-weight:bold}</style></head>
<body><h1>Data quality — run ${esc(run.run_id)}</h1>
<p>Started ${esc(run.started_at)} · outcome <span class="outcome">${run.outcome}</span> · ${run.results.length} checks, ${failed} failing</p>
<table><thead><tr><th>layer</th><th>table</th><th>expectation</th><th>severity</th><th>result</th><th>failing</th><th>details</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}
