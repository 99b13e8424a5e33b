import type { Command } from 'commander';
import { Db } from '../core/duckdb';
import { ingestBronze } from '../pipelines/bronze/ingest';
import { context, intOption } from './common';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('ingest new landing files into bronze Parquet (each file exactly once, atomic batches)')
    .option('--max-files-per-batch <n>', 'landing files per committed batch', '1000')
    .addHelpText('after', '\nRe-running ingests only files that arrived since; a crashed run is cleaned up and redone by the next one.')
    .action(async (opts: { maxFilesPerBatch: string }, cmd: Command) => {
      const { config, logger, progress } = context(cmd, { existing: true });
      const maxFilesPerBatch = intOption(opts.maxFilesPerBatch, '--max-files-per-batch')!;
      const db = await Db.fromConfig(config);
      try {
        const started = Date.now();
        const r = await ingestBronze(config.lakehouse, { timezone: config.timezone, maxFilesPerBatch }, { db, logger, progress });
        process.stdout.write(
          `ingested ${r.files} new files in ${r.batches} batch(es): ${r.rows} rows to bronze, ${r.quarantined} quarantined (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
        );
      } finally {
        db.close();
      }
    });
}
