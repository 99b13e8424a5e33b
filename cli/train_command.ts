import type { Command } from 'commander';
import { SCALES } from '../core/config';
import { InsufficientDataError, ValidationError } from '../core/errors';
import { FeatureStore } from '../features/store';
import { prepareData } from '../training/prepare';
import { createRunTracker } from '../training/tracking/create';
import { trainModels, type ModelOutcome, type SkippedModel } from '../training/train';
import { TRAINERS } from '../training/trainers';
import { context, engineOptions, withEngine } from './common';

const f = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(4));

/** The end-of-run table: each model's metrics beside baseline and truth, and what happened in the registry. */
export function summaryTable(outcomes: ModelOutcome[], skipped: SkippedModel[] = []): string {
  const rows: string[][] = [['model', 'metric', 'model', 'baseline', 'truth', 'registry']];
  for (const o of outcomes) {
    const registry = o.trackingError ? `NOT TRACKED (kept at ${o.localPath})` : `v${o.version} ${o.unchanged ? 'champion' : o.decision?.promote ? '→ champion' : 'challenger'}: ${o.decision?.reason}`;
    o.trained.summary.forEach((s, i) => rows.push([i === 0 ? o.name : '', `${s.metric} (${s.better === 'higher' ? '↑' : '↓'})`, f(s.model), f(s.baseline), f(s.truth), i === 0 ? registry : '']));
  }
  for (const m of skipped) rows.push([m.name, '—', '—', '—', '—', `SKIPPED: ${m.reason}`]);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => r.map((cell, c) => (c === 5 ? cell : cell.padEnd(widths[c]))).join('  ') + (i === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : '')).join('\n') + '\n';
}

export function registerTrain(program: Command): void {
  engineOptions(program.command('train'))
    .description('prepare data (generate if none, ingest, pipeline, features) then train, evaluate, track and register every model')
    .option('--models <list>', `comma-separated subset of: ${Object.keys(TRAINERS).join(', ')}`)
    .option('--skip-prepare', 'train on the lakehouse as it is (no generate/ingest/pipeline/materialize)')
    .option('--scale <scale>', `size of the synthetic gym generated when the lakehouse has no data: ${SCALES.join(', ')} (default: config scale, small)`)
    .option('--seed <n>', 'seed of the synthetic gym generated when the lakehouse has no data (default: config seed, 42)')
    .option('--json', 'print the outcome as JSON instead of a table')
    .addHelpText(
      'after',
      '\nA model the data is too small for (e.g. churn before two full months) is skipped with the reason; the others train.\nTracking: <lakehouse>/mlruns (MLflow file store) by default; MLFLOW_TRACKING_URI=http://host:5000 logs to an MLflow server.\nOpen the file store from the lakehouse folder: cd lakehouse && MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri mlruns',
    )
    .action(async (opts: { models?: string; skipPrepare?: boolean; json?: boolean; scale?: string; seed?: string; engine?: string; master?: string }, cmd: Command) => {
      const base = context(cmd, { scale: opts.scale, seed: opts.seed, existing: opts.skipPrepare === true });
      const { logger, progress } = base;
      const config = withEngine(base.config, opts);
      const names = opts.models ? opts.models.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(TRAINERS);
      const unknown = names.filter((n) => !(n in TRAINERS));
      if (unknown.length || names.length === 0) throw new ValidationError(`--models: unknown model(s) ${unknown.join(', ') || '(none given)'}; choose from ${Object.keys(TRAINERS).join(', ')}`, '--models');
      const store = FeatureStore.open(config, { logger, progress });
      const tracker = createRunTracker(config);
      try {
        if (!opts.skipPrepare) {
          const p = await prepareData(config, store, { logger, progress });
          logger.info(p, 'data ready');
        }
        const { outcomes, skipped } = await trainModels({ store, lakehouse: config.lakehouse, timezone: config.timezone, seed: config.seed, duckdb: config.duckdb, logger, progress }, tracker, names.map((n) => [n, TRAINERS[n]]));
        const trained = outcomes.map((o) => ({ name: o.name, metrics: o.trained.metrics, version: o.version, decision: o.decision, trackingError: o.trackingError, localPath: o.localPath, seconds: o.seconds }));
        if (opts.json) process.stdout.write(JSON.stringify([...trained, ...skipped.map((m) => ({ name: m.name, skipped: m.reason }))], null, 1) + '\n');
        else process.stdout.write(`\n${summaryTable(outcomes, skipped)}\nruns: ${tracker.location}\n`);
        if (outcomes.length === 0) throw new InsufficientDataError(`no model could be trained on this lakehouse: ${skipped.map((m) => m.reason).join('; ')}`);
      } finally {
        await tracker.close();
        await store.close();
      }
    });
}
