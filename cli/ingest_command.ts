import type { Command } from 'commander';
import { Db } from '../pipelines/engine/duckdb/db';
import { ingestBronze } from '../pipelines/bronze/ingest';
import { context, intOption } from './common';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('ingest new landing files into bronze Parquet (each file exactly once, atomic batches)')
    .option('--max-files-per-batch <n>', 'landing files per committed batch', '1000')
    .option('--settle-seconds <n>', 'a file modified more recently may still be written: its unterminated last line waits', '10')
    .addHelpText(
      'after',
      [
        '',
        'Re-running ingests only lines that arrived since: new files, and the new lines of files that grew.',
        'A crashed run is cleaned up and redone by the next one. Writers should write aside (a dot-prefixed',
        'or .tmp name) and rename; a file written in place is taken one complete line at a time.',
        'A file that is not text (binary, invalid UTF-8) is quarantined whole; the rest of the batch lands.',
      ].join('\n'),
    )
    .action(async (opts: { maxFilesPerBatch: string; settleSeconds: string }, cmd: Command) => {
      const { config, logger, progress } = context(cmd, { existing: true });
      const maxFilesPerBatch = intOption(opts.maxFilesPerBatch, '--max-files-per-batch')!;
      const settleMs = intOption(opts.settleSeconds, '--settle-seconds')! * 1000;
      const db = await Db.fromConfig(config);
      try {
        const started = Date.now();
        const r = await ingestBronze(config.lakehouse, { timezone: config.timezone, maxFilesPerBatch, settleMs }, { db, logger, progress });
        const notes = [
          r.appended.length && `${r.appended.length} grown file(s): new lines only`,
          r.rejected.length && `${r.rejected.length} not text, quarantined whole`,
          r.pending.length && `${r.pending.length} still being written`,
          r.changed.length && `${r.changed.length} changed after ingestion, skipped`,
          r.futureDated.length && `${r.futureDated.length} dated after today`,
        ].filter(Boolean);
        process.stdout.write(
          `ingested ${r.files} files in ${r.batches} batch(es): ${r.rows} rows to bronze, ${r.quarantined} quarantined (${((Date.now() - started) / 1000).toFixed(1)} s)${notes.length ? `; ${notes.join('; ')}` : ''}\n`,
        );
      } finally {
        db.close();
      }
    });
}
