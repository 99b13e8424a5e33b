import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic_fs';
import { ValidationError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { lakePaths } from '../../core/paths';
import { noProgress, type Progress } from '../../core/progress';
import { buildCalendar } from './calendar';
import { DirtLog } from './dirt';
import { FEEDS } from '../feeds';
import { createFaker } from './members';
import { GeneratorOptionsSchema, type GeneratorOptions } from './options';
import { Rng } from './rng';
import { LandingSink, type LandedFile } from './sink';
import { Simulation } from './simulate';
import { Truth } from './truth';

export const MANIFEST_VERSION = 1;

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

/**
 * Generates the landing zone (one file per feed and day) and the ground truth under `_truth/`.
 * Same options → byte-identical files. Refuses to mix with data generated under other options
 * unless `force`, which first deletes landing, truth and everything derived from them.
 */
export function generate(root: string, input: GeneratorOptions, deps: { logger: Logger; progress?: Progress; force?: boolean }): GenerateResult {
  const parsed = GeneratorOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`generator option ${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
  }
  const opts = parsed.data;
  const paths = lakePaths(root);
  prepare(paths, opts, deps.force === true, deps.logger);
  const started = process.hrtime.bigint();
  const days = buildCalendar(opts.start, opts.days, opts.timezone);
  const rng = new Rng(opts.seed);
  const dirt = new DirtLog();
  const truth = new Truth(days);
  const sink = new LandingSink(paths.landing, days, rng.fork(100), opts.dirt, dirt);
  const sim = new Simulation(opts, days, rng.fork(200), createFaker(opts.seed), sink, dirt, truth);
  deps.logger.info({ ...opts, dirt: undefined }, 'generating synthetic gym data');
  sim.run(deps.progress ?? noProgress);
  truth.write(paths.truth, sim.members);
  writeFileAtomic(join(paths.truth, 'dirt.csv'), ['kind,feed,record_id,file,line,detail', ...dirt.rows].join('\n') + '\n');
  const manifest = buildManifest(opts, sim.members.length, sink.files, dirt);
  writeFileAtomic(join(paths.truth, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = sink.files.reduce((a, f) => a + f.lines, 0);
  deps.logger.info({ seconds: Number(seconds.toFixed(2)), lines, files: sink.files.length, members: sim.members.length }, 'generated');
  return { manifest, seconds, lines };
}

function buildManifest(opts: GeneratorOptions, totalMembers: number, files: LandedFile[], dirt: DirtLog): Manifest {
  const feeds: Manifest['feeds'] = {};
  for (const f of FEEDS) feeds[f.name] = { files: 0, lines: 0 };
  for (const f of files) {
    feeds[f.feed].files++;
    feeds[f.feed].lines += f.lines;
  }
  const sortedDirt: Manifest['dirt'] = {};
  for (const feed of Object.keys(dirt.counts).sort()) {
    sortedDirt[feed] = Object.fromEntries(Object.entries(dirt.counts[feed]).sort(([a], [b]) => a.localeCompare(b)));
  }
  return { generator: 'fitlake-data-gen', version: MANIFEST_VERSION, options: opts, members: { initial: opts.members, total: totalMembers }, feeds, dirt: sortedDirt, files };
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
