import type { Command } from 'commander';
import { ValidationError } from '../core/errors';
import { DEFAULT_DIRT, DEFAULT_START, SCALE_PRESETS } from '../pipelines/data_gen/options';
import { generate } from '../pipelines/data_gen/generate';
import { context, intOption } from './common';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('generate a seeded synthetic gym dataset (landing files + ground truth) under the lakehouse')
    .option('--seed <n>', 'random seed (env FITLAKE_SEED, default 42)')
    .option('--scale <scale>', 'tiny | small | medium | large (env FITLAKE_SCALE, default small)')
    .option('--members <n>', 'members on the books on day one (overrides the scale)')
    .option('--days <n>', 'days to simulate (overrides the scale)')
    .option('--start <date>', `first simulated day, YYYY-MM-DD (default ${DEFAULT_START})`)
    .option('--clubs <n>', 'number of clubs (overrides the scale)')
    .option('--no-dirt', 'generate clean data (no duplicates, variants, late or malformed records)')
    .option('--workers <n>', 'threads simulating clubs (default: the cores, at most one per club); the output is the same for any count')
    .option('--force', 'replace data generated with other options (deletes landing, truth and derived layers)')
    .addHelpText('after', '\nScales: ' + Object.entries(SCALE_PRESETS).map(([k, v]) => `${k} = ${v.members} members × ${v.days} days, ${v.clubs} club(s)`).join('; '))
    .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const { config, logger, progress } = context(cmd, { seed: opts.seed as string | undefined, scale: opts.scale as string | undefined });
      const preset = SCALE_PRESETS[config.scale];
      if (!preset) throw new ValidationError(`unknown scale ${config.scale}`, '--scale');
      const dirt = opts.dirt === false ? Object.fromEntries(Object.keys(DEFAULT_DIRT).map((k) => [k, 0])) : DEFAULT_DIRT;
      const result = await generate(
        config.lakehouse,
        {
          seed: config.seed,
          members: intOption(opts.members as string | undefined, '--members') ?? preset.members,
          days: intOption(opts.days as string | undefined, '--days') ?? preset.days,
          clubs: intOption(opts.clubs as string | undefined, '--clubs') ?? preset.clubs,
          start: (opts.start as string | undefined) ?? DEFAULT_START,
          timezone: config.timezone,
          dirt: dirt as typeof DEFAULT_DIRT,
        },
        { logger, progress, force: opts.force === true, workers: intOption(opts.workers as string | undefined, '--workers') },
      );
      process.stdout.write(`generated ${result.lines} lines in ${result.manifest.files.length} files for ${result.manifest.members.total} members in ${result.seconds.toFixed(1)} s → ${config.lakehouse}/landing\n`);
    });
}
