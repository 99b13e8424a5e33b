import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ValidationError } from '../core/errors';
import { assertNoSkew, checkSkew } from '../features/skew';
import { FeatureStore } from '../features/store';
import type { BuildReport } from '../features/offline/offline_store';
import { churnTrainingSet } from '../features/training_sets';
import { context, engineOptions, intOption, withEngine } from './common';

function parseTime(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`${flag} must be an ISO date or timestamp, got "${value}"`, flag);
  return d;
}

const list = (v?: string) => v?.split(',').map((x) => x.trim()).filter(Boolean);
const out = (v: unknown): void => void process.stdout.write(JSON.stringify(v, null, 1) + '\n');

/** Opens the feature store for a subcommand, runs `fn`, and always closes it. */
async function withStore<T>(cmd: Command, fn: (store: FeatureStore, ctx: ReturnType<typeof context>) => Promise<T>, engine: { engine?: string; master?: string } = {}): Promise<T> {
  const base = context(cmd, { existing: true });
  const ctx = { ...base, config: withEngine(base.config, engine) };
  const store = FeatureStore.open(ctx.config, { logger: ctx.logger, progress: ctx.progress });
  try {
    return await fn(store, ctx);
  } finally {
    await store.close();
  }
}

export function registerFeatures(program: Command): void {
  const features = program.command('features').description('the feature store: declared features, offline and online stores');

  features
    .command('apply')
    .description('register the declared entities, feature views and services (features/definitions/) as a new registry version if they changed')
    .action((_o, cmd: Command) =>
      withStore(cmd, async (store) => {
        const { registry, changed } = store.apply();
        process.stdout.write(`registry version ${registry.version} ${changed ? 'applied' : 'unchanged'}: ${registry.entities.length} entities, ${registry.views.length} feature views, ${registry.services.length} services\n`);
      }),
    );

  features
    .command('list')
    .description('list the registered feature views and services')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const r = store.registry();
        if (opts.json) return out({ version: r.version, views: r.views.map((v) => ({ name: v.name, entity: v.entities[0], ttl: v.ttl, features: v.schema.length })), services: r.services });
        const lines = [`registry version ${r.version} (applied ${r.applied_at})`, 'feature views:', ...r.views.map((v) => `  ${v.name} [${v.entities.join(',')}] ttl ${v.ttl}, ${v.schema.length} features — ${v.description}`), 'feature services:', ...r.services.map((s) => `  ${s.name}: ${s.features.join(', ')}`)];
        process.stdout.write(lines.join('\n') + '\n');
      }),
    );

  features
    .command('describe <name>')
    .description('print one feature view, service or entity as JSON')
    .action((name: string, _o, cmd: Command) =>
      withStore(cmd, async (store) => {
        const r = store.registry();
        const found = r.views.find((v) => v.name === name) ?? r.services.find((s) => s.name === name) ?? r.entities.find((e) => e.name === name);
        if (!found) throw new ValidationError(`no feature view, service or entity named "${name}"`, 'name');
        out(found);
      }),
    );

  engineOptions(features.command('build'))
    .description('build the offline feature tables: in full where a definition changed, from the first day whose inputs changed elsewhere')
    .option('--force', 'rebuild every table in full')
    .action((opts: { force?: boolean; engine?: string; master?: string }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const reports = await store.build({ force: opts.force === true });
        process.stdout.write(reports.map(buildLine).join('\n') + '\n');
      }, opts),
    );

  const materializeAction = (incremental: boolean) => (opts: { start?: string; end?: string; views?: string }, cmd: Command) =>
    withStore(cmd, async (store) => {
      const m = await store.materialize({ incremental, start: parseTime(opts.start, '--start'), end: parseTime(opts.end, '--end'), views: list(opts.views) });
      process.stdout.write(`materialization ${m.id} → ${m.online_store}\n` + m.views.map((v) => `  ${v.view}: ${v.rows} entities in [${v.start}, ${v.end}], ${v.written} written, ${v.online_keys} online`).join('\n') + '\n');
    });
  features
    .command('materialize')
    .description('push the latest value per entity with feature_ts in [start, end] to the online store')
    .option('--start <time>', 'ISO time (default: the beginning)')
    .option('--end <time>', "ISO time (default: the newest feature timestamp: the data's now)")
    .option('--views <names>', 'comma-separated feature views (default: all online views)')
    .action(materializeAction(false));
  features
    .command('materialize-incremental')
    .description('materialize from each view’s last materialized end (or end − ttl) to end')
    .option('--end <time>', 'ISO time (default: the newest feature timestamp)')
    .option('--views <names>', 'comma-separated feature views')
    .action(materializeAction(true));

  features
    .command('check-skew')
    .description('compare online vectors with offline point-in-time vectors for a sample of entities; exit 7 on any difference')
    .option('--sample <n>', 'entities per view', '500')
    .option('--views <names>', 'comma-separated feature views')
    .action((opts: { sample: string; views?: string }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const report = await checkSkew(store, { sample: intOption(opts.sample, '--sample')!, views: list(opts.views) });
        const line = (v: (typeof report.views)[number]) =>
          `${v.mismatches + v.missing === 0 ? 'ok  ' : 'SKEW'} ${v.view}: ${v.checked} of ${v.expected} entities online since ${v.start} checked at ${v.end}: ${v.mismatches} differing value(s), ${v.missing} missing`;
        process.stdout.write(report.views.map(line).join('\n') + '\n');
        assertNoSkew(report);
      }),
    );

  features
    .command('get-online')
    .description('read features for entity keys from the online store, with TTL statuses')
    .requiredOption('--keys <keys>', 'comma-separated entity keys, e.g. M0000001,M0000002')
    .option('--service <name>', 'feature service')
    .option('--features <refs>', 'comma-separated refs view:feature or view')
    .option('--now <time>', "judge TTLs as of this time (default: the API's clock: the last materialization's end with serving.clock = data, else the system clock)")
    .action((opts: { keys: string; service?: string; features?: string; now?: string }, cmd: Command) =>
      withStore(cmd, async (store, ctx) => {
        if (!opts.service === !opts.features) throw new ValidationError('give exactly one of --service and --features', '--features');
        const request = opts.service ? { service: opts.service } : { features: list(opts.features)! };
        const dataNow = ctx.config.serving.clock === 'data' ? (store.lastMaterializedEnd() ?? undefined) : undefined;
        out(await store.getOnlineFeatures(request, list(opts.keys)!, { now: parseTime(opts.now, '--now') ?? dataNow }));
      }),
    );

  features
    .command('events')
    .description('the events of an events view known at a time (what the recommenders and the forecast train on): their count and the first of them, as JSON')
    .option('--service <name>', 'a feature service with one events view, e.g. recommend_classes')
    .option('--features <refs>', 'comma-separated refs of one events view, view:feature or view')
    .option('--as-of <time>', 'known at this time: happened and landed by then (default: now)')
    .option('--limit <n>', 'events to print', '20')
    .action((opts: { service?: string; features?: string; asOf?: string; limit: string }, cmd: Command) =>
      withStore(cmd, async (store) => {
        if (!opts.service === !opts.features) throw new ValidationError('give exactly one of --service and --features', '--features');
        const request = opts.service ? { service: opts.service } : { features: list(opts.features)! };
        const asOf = parseTime(opts.asOf, '--as-of') ?? new Date();
        const limit = intOption(opts.limit, '--limit')!;
        if (limit < 0) throw new ValidationError(`--limit must be 0 or more, got ${limit}`, '--limit');
        await store.build();
        const events = await store.getEvents(request, asOf);
        out({ as_of: asOf.toISOString(), columns: events.columns, count: await events.count(), events: await events.rows({ limit }) });
      }),
    );

  features
    .command('stats')
    .description('feature statistics recorded by a materialization (default: the latest)')
    .option('--materialization <id>', 'materialization id')
    .action((opts: { materialization?: string }, cmd: Command) =>
      withStore(cmd, async (store) => {
        const id = opts.materialization ?? store.log.list().at(-1)?.id;
        const stats = id ? store.log.statistics(id) : null;
        if (!stats) throw new ValidationError(id ? `no statistics for materialization ${id}` : 'nothing materialized yet: run `fitlake features materialize`', '--materialization');
        out(stats);
      }),
    );

  engineOptions(features.command('training-set <name>'))
    .description('write a point-in-time correct training set (churn) to a Parquet file (built on the configured engine)')
    .requiredOption('--out <file>', 'output Parquet path')
    .option('--horizon-days <n>', 'label horizon after each snapshot', '30')
    .option('--min-history-days <n>', 'days of data before the first snapshot (so windows are full)', '90')
    .action((name: string, opts: { out: string; horizonDays: string; minHistoryDays: string; engine?: string; master?: string }, cmd: Command) =>
      withStore(cmd, async (store) => {
        if (name !== 'churn') throw new ValidationError(`unknown training set "${name}" (known: churn)`, 'name');
        await store.build();
        const set = await churnTrainingSet(store, { horizonDays: intOption(opts.horizonDays, '--horizon-days'), minHistoryDays: intOption(opts.minHistoryDays, '--min-history-days') });
        await set.toParquet(resolve(opts.out));
        process.stdout.write(`${await set.count()} rows × ${set.columns.length} columns → ${resolve(opts.out)}\n`);
        await set.close();
      }, opts),
    );
}

/** One line per offline table: what the build did, e.g. `updated member_days (member_visits, …): 31 rows from 2025-03-02, 9000 in the table, 1.2 s`. */
function buildLine(r: BuildReport): string {
  const head = `${r.action.padEnd(7)} ${r.table} (${r.views.join(', ')})`;
  if (r.action === 'skipped') return `${head}: ${r.rows} rows, unchanged`;
  if (r.action === 'built') return `${head}: ${r.rows} rows in ${r.seconds.toFixed(1)} s`;
  return `${head}: ${r.written} rows from ${r.from}, ${r.rows} in the table, ${r.seconds.toFixed(1)} s`;
}
