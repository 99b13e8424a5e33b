import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic_fs';
import { AtomicWriter } from '../../core/atomic_writer';
import { ValidationError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { lakePaths } from '../../core/paths';
import { noProgress, type Progress } from '../../core/progress';
import { buildCalendar, type Day } from './calendar';
import { DIRT_HEADER } from './dirt';
import { FEEDS } from '../feeds';
import { ChainLanding, type LandedFile } from './landing_merge';
import { GeneratorOptionsSchema, type GeneratorOptions } from './options';
import { partFile, type ClubSummary } from './shard';
import { openHosts, type ShardHost } from './shard_host';
import { AHEAD_DAYS, aheadDemandCsv, TRUTH_FILES, weeklyDemandCsv } from './truth';

export const MANIFEST_VERSION = 2;

export interface Manifest {
  generator: 'fitlake-data-gen';
  version: number;
  options: GeneratorOptions;
  members: { initial: number; total: number };
  feeds: Record<string, { files: number; lines: number }>;
  dirt: Record<string, Record<string, number>>;
  files: LandedFile[];
}

export interface GenerateResult {
  manifest: Manifest;
  seconds: number;
  lines: number;
}

export interface GenerateDeps {
  logger: Logger;
  progress?: Progress;
  force?: boolean;
  /** Threads simulating clubs (default: the cores, at most one per club); the output never depends on it. */
  workers?: number;
}

/**
 * Generates the landing zone (one file per feed and day) and the ground truth under `_truth/`.
 * Clubs are simulated independently, in parallel on worker threads, and their parts merged in club
 * order: same options → byte-identical files, whatever the worker count. Refuses to mix with data
 * generated under other options unless `force`, which first deletes landing, truth and everything
 * derived from them.
 */
export async function generate(root: string, input: GeneratorOptions, deps: GenerateDeps): Promise<GenerateResult> {
  const parsed = GeneratorOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`generator option ${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
  }
  const opts = parsed.data;
  const workers = deps.workers ?? Math.min(opts.clubs, availableParallelism());
  if (!Number.isInteger(workers) || workers < 1) throw new ValidationError(`--workers must be a positive integer, got ${workers}`, '--workers');
  const paths = lakePaths(root);
  prepare(paths, opts, deps.force === true, deps.logger);
  const started = process.hrtime.bigint();
  const days = buildCalendar(opts.start, opts.days, opts.timezone);
  const partsDir = join(paths.truth, '.parts');
  rmSync(partsDir, { recursive: true, force: true });
  deps.logger.info({ ...opts, dirt: undefined, workers: Math.min(workers, opts.clubs) }, 'generating synthetic gym data');
  const torn = new AtomicWriter(join(partsDir, 'torn.csv'));
  let hosts: ShardHost[] = [];
  try {
    hosts = openHosts(opts, partsDir, workers);
    const landing = new ChainLanding(paths.landing, days, torn);
    const progress = deps.progress ?? noProgress;
    progress.start('simulate days', days.length);
    for (let d = 0; d < days.length; d++) {
      landing.writeDay(d, (await Promise.all(hosts.map((h) => h.next()))).flat());
      for (const h of hosts) h.written(d);
      progress.tick();
    }
    progress.stop();
    const clubs = (await Promise.all(hosts.map((h) => h.finish()))).flat().sort((a, b) => a.club - b.club);
    torn.commit({ durable: false });
    writeTruth(paths.truth, partsDir, days, clubs, opts.timezone);
    const manifest = buildManifest(opts, clubs, landing.files);
    writeFileAtomic(join(paths.truth, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const lines = landing.files.reduce((a, f) => a + f.lines, 0);
    deps.logger.info({ seconds: Number(seconds.toFixed(2)), lines, files: landing.files.length, members: manifest.members.total }, 'generated');
    return { manifest, seconds, lines };
  } finally {
    torn.abort();
    await Promise.all(hosts.map((h) => h.close()));
    rmSync(partsDir, { recursive: true, force: true });
  }
}

/** The truth files: each club's part files concatenated in club order, the daily demand summed over clubs. */
function writeTruth(dir: string, partsDir: string, days: Day[], clubs: ClubSummary[], timeZone: string): void {
  const concat = (file: string, header: string, parts: string[]) => {
    const out = new AtomicWriter(join(dir, file));
    out.write(header + '\n');
    for (const p of parts) out.append(p);
    out.commit();
  };
  for (const [name, spec] of Object.entries(TRUTH_FILES)) concat(spec.file, spec.header, clubs.map((c) => partFile(partsDir, name, c.club)));
  concat('dirt.csv', DIRT_HEADER, [...clubs.map((c) => partFile(partsDir, 'dirt', c.club)), join(partsDir, 'torn.csv')]);
  const size = clubs[0].expectedDaily.length;
  const expected = new Float64Array(size);
  const actual = new Float64Array(size);
  for (const c of clubs) {
    for (let i = 0; i < size; i++) {
      expected[i] += c.expectedDaily[i];
      actual[i] += c.actualDaily[i];
    }
  }
  writeFileAtomic(join(dir, 'supplement_weekly_demand.csv'), weeklyDemandCsv(days, expected, actual));
  const ahead = buildCalendar(days[0].date, days.length + AHEAD_DAYS, timeZone);
  writeFileAtomic(join(dir, 'supplement_weekly_demand_ahead.csv'), aheadDemandCsv(ahead, days.length, expected));
}

function buildManifest(opts: GeneratorOptions, clubs: ClubSummary[], files: LandedFile[]): Manifest {
  const feeds: Manifest['feeds'] = {};
  for (const f of FEEDS) feeds[f.name] = { files: 0, lines: 0 };
  for (const f of files) {
    feeds[f.feed].files++;
    feeds[f.feed].lines += f.lines;
  }
  const counts: Record<string, Record<string, number>> = {};
  for (const c of clubs) {
    for (const [feed, kinds] of Object.entries(c.dirt)) for (const [kind, n] of Object.entries(kinds)) (counts[feed] ??= {})[kind] = (counts[feed][kind] ?? 0) + n;
  }
  const dirt: Manifest['dirt'] = {};
  for (const feed of Object.keys(counts).sort()) dirt[feed] = Object.fromEntries(Object.entries(counts[feed]).sort(([a], [b]) => a.localeCompare(b)));
  const total = clubs.reduce((a, c) => a + c.members, 0);
  return { generator: 'fitlake-data-gen', version: MANIFEST_VERSION, options: opts, members: { initial: opts.members, total }, feeds, dirt, files };
}

export function readManifest(root: string): Manifest | null {
  const path = join(lakePaths(root).truth, 'manifest.json');
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

function prepare(paths: ReturnType<typeof lakePaths>, opts: GeneratorOptions, force: boolean, logger: Logger): void {
  const previous = readManifest(paths.root);
  const same = previous !== null && JSON.stringify(previous.options) === JSON.stringify(opts);
  const landingUsed = existsSync(paths.landing);
  if (force) {
    for (const dir of [paths.landing, paths.truth, paths.bronze, paths.silver, paths.gold]) rmSync(dir, { recursive: true, force: true });
    logger.warn({ root: paths.root }, 'deleted landing, truth and derived layers (--force)');
    return;
  }
  if ((previous && !same) || (landingUsed && !previous)) {
    throw new ValidationError(
      `${paths.root} already holds data generated with other options; pass --force to replace it (deletes landing, truth, bronze, silver and gold) or choose another --lakehouse`,
      'lakehouse',
    );
  }
}
