import type { Command } from 'commander';
import { resolve } from 'node:path';
import { Cron } from 'croner';
import type { Config } from '../core/config';
import { ValidationError } from '../core/errors';
import type { Logger } from '../core/logger';
import { buildReport, writeReport, type ReportOptions } from '../serving/report/weekly_report';
import { loadRegisteredModel } from '../training/loaders';
import { createRunTracker } from '../training/tracking/create';
import { context, intOption } from './common';

/** One report run: the champion forecast → `<out>/<ISO week>/`. */
export async function runWeeklyReport(config: Config, logger: Logger, out: string, opts: ReportOptions): Promise<string> {
  const tracker = createRunTracker(config);
  try {
    const { version, artifact } = await loadRegisteredModel(tracker, 'supplement-forecast', 'forecast');
    const report = buildReport(artifact, { name: version.name, version: version.version }, opts);
    const dir = writeReport(report, artifact, out);
    logger.info({ dir, isoWeek: report.isoWeek, model: `${version.name}@${version.version}` }, 'weekly report written');
    return dir;
  } finally {
    await tracker.close();
  }
}

function reportOptions(o: { weeks: string; leadTime: string; serviceLevel: string }): ReportOptions {
  const weeks = intOption(o.weeks, '--weeks')!;
  const leadTimeWeeks = intOption(o.leadTime, '--lead-time')!;
  const serviceLevel = Number(o.serviceLevel) / 100;
  if (weeks < 4 || weeks > 8) throw new ValidationError('--weeks must be between 4 and 8', '--weeks');
  if (leadTimeWeeks < 1 || leadTimeWeeks > 8) throw new ValidationError('--lead-time must be between 1 and 8 weeks', '--lead-time');
  if (!(serviceLevel >= 0.5 && serviceLevel <= 0.999)) throw new ValidationError('--service-level must be a percentage between 50 and 99.9', '--service-level');
  return { weeks, leadTimeWeeks, serviceLevel };
}

export function registerReport(program: Command): void {
  const report = program.command('report').description('scheduled reports');
  report
    .command('weekly')
    .description('write the weekly supplement forecast report (HTML, Markdown, CSV, chart) from the champion forecast model')
    .option('--out <dir>', 'output folder', 'reports/supplements')
    .option('--weeks <n>', 'forecast weeks shown (4–8)', '8')
    .option('--lead-time <weeks>', 'supplier lead time in weeks, for the reorder suggestion', '2')
    .option('--service-level <pct>', 'safety-stock service level in percent (50–99.9)', '95')
    .option('--schedule <cron>', 'keep running and write the report on this cron schedule in the gym time zone, e.g. "0 6 * * MON"')
    .addHelpText('after', '\nWrites <out>/<ISO week>/{report.html,report.md,forecast.csv,chart.svg}; re-running for the same week and model rewrites the same bytes; a failed run leaves the previous report intact.')
    .action(async (o: { out: string; weeks: string; leadTime: string; serviceLevel: string; schedule?: string }, cmd: Command) => {
      const { config, logger } = context(cmd, { existing: true });
      const opts = reportOptions(o);
      const out = resolve(o.out);
      if (!o.schedule) {
        process.stdout.write(`${await runWeeklyReport(config, logger, out, opts)}\n`);
        return;
      }
      let job: Cron;
      try {
        job = new Cron(o.schedule, { timezone: config.timezone, protect: true, catch: (e) => logger.error({ err: e }, 'weekly report failed; the previous report is intact') }, async () => {
          await runWeeklyReport(config, logger, out, opts);
        });
      } catch (e) {
        throw new ValidationError(`--schedule: ${(e as Error).message}`, '--schedule');
      }
      logger.info({ schedule: o.schedule, timezone: config.timezone, next: job.nextRun()?.toISOString() }, 'weekly report scheduled');
      await new Promise<void>((done) => {
        for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => (job.stop(), done()));
      });
    });
}
