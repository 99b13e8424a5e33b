import type { Command } from 'commander';
import { join } from 'node:path';
import { readQualityRun, qualityDir } from '../pipelines/quality/report';
import { tableHistory } from '../pipelines/runner/history';
import { showTable } from './show_table';
import { runMedallion } from '../pipelines/runner/medallion';
import { context, engineOptions, intOption, withEngine } from './common';

export function registerPipeline(program: Command): void {
  const pipeline = program.command('pipeline').description('silver and gold tables from bronze');
  engineOptions(pipeline.command('run'))
    .description('build stale silver and gold tables (SQL models in pipelines/models/), gated by data-quality checks')
    .option('--full-refresh', 'rebuild every table even if its inputs did not change')
    .addHelpText('after', '\nA table is rebuilt when its SQL or any input changed; an `error` expectation failing keeps the last good layer.')
    .action(async (opts: { fullRefresh?: boolean; engine?: string; master?: string }, cmd: Command) => {
      const base = context(cmd, { existing: true });
      const { logger, progress } = base;
      const config = withEngine(base.config, opts);
      const r = await runMedallion(config.lakehouse, { timezone: config.timezone, fullRefresh: opts.fullRefresh === true, duckdb: config.duckdb, engine: config.engine }, { logger, progress });
      const built = r.steps.filter((s) => s.action === 'built');
      const failing = r.quality.filter((q) => !q.passed);
      process.stdout.write(
        `pipeline run ${r.runId}: ${built.length} table(s) built, ${r.steps.filter((s) => s.action === 'skipped').length} unchanged; quality ${r.quality.length - failing.length}/${r.quality.length} passed` +
          `${failing.length ? ` (${failing.length} warning(s))` : ''}; report ${join(qualityDir(config.lakehouse), r.runId, 'report.html')}\n`,
      );
    });

  pipeline
    .command('history')
    .description("a silver or gold table's versions: every Delta commit (Spark engine) or the current version (DuckDB engine)")
    .argument('<table>', 'table name, e.g. daily_active_members')
    .option('--json', 'print the versions as JSON')
    .action((table: string, opts: { json?: boolean }, cmd: Command) => {
      const { config } = context(cmd, { existing: true });
      const h = tableHistory(config.lakehouse, table);
      if (opts.json) {
        process.stdout.write(JSON.stringify(h, null, 1) + '\n');
        return;
      }
      const lines = h.versions.map((v) => `${v.current ? '*' : ' '} v${v.version}  ${v.timestamp}  ${v.operation}  ${v.rowsWritten ?? '?'} rows${v.run ? `  run ${v.run}` : ''}`);
      process.stdout.write(`${h.layer}.${h.table} (${h.format === 'delta' ? 'Delta table' : 'files, DuckDB engine: no history kept'}); * = current\n${lines.join('\n')}\n`);
    });

  pipeline
    .command('show')
    .description('rows of a silver or gold table, at its current version or an earlier one (time travel, Delta tables)')
    .argument('<table>', 'table name, e.g. daily_active_members')
    .option('--version <n>', 'table version (see `fitlake pipeline history TABLE`)')
    .option('--limit <n>', 'rows to print', '10')
    .option('--where <sql>', 'a SQL condition on the rows, e.g. "date >= \'2025-03-01\'"')
    .action(async (table: string, opts: { version?: string; limit: string; where?: string }, cmd: Command) => {
      const { config } = context(cmd, { existing: true });
      await showTable(config, table, { version: intOption(opts.version, '--version'), limit: intOption(opts.limit, '--limit')!, where: opts.where });
    });

  program
    .command('quality')
    .description('data-quality results')
    .command('report')
    .description('print the results of a pipeline run (default: the latest) and where its HTML report is')
    .option('--run <id>', 'run id, e.g. 20260102T030405Z')
    .option('--json', 'print the results as JSON')
    .action((opts: { run?: string; json?: boolean }, cmd: Command) => {
      const { config } = context(cmd, { existing: true });
      const run = readQualityRun(config.lakehouse, opts.run);
      if (opts.json) {
        process.stdout.write(JSON.stringify(run, null, 1) + '\n');
        return;
      }
      const lines = run.results.map((r) => `${r.passed ? 'pass' : r.severity === 'error' ? 'FAIL' : 'warn'}  ${r.layer}.${r.table}: ${r.description}${r.passed ? '' : ` — ${r.failing} failing; ${r.details}`}`);
      process.stdout.write(`quality run ${run.run_id} (${run.outcome})\n${lines.join('\n')}\nreport: ${join(qualityDir(config.lakehouse), run.run_id, 'report.html')}\n`);
    });
}
