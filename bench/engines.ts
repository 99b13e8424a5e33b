import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { phase, type PhaseResult } from './lake';

const ENGINES = ['duckdb', 'spark'] as const;

/** Moves the landing files of the last day aside (or back), to play an incremental day. */
export function lastDay(root: string, back: boolean): number {
  const landing = join(root, 'landing');
  const aside = join(root, 'aside');
  const last = JSON.parse(readFileSync(join(root, '_truth', 'manifest.json'), 'utf8')).files.map((f: { date: string }) => f.date).sort().at(-1) as string;
  let moved = 0;
  for (const feed of readdirSync(back ? aside : landing)) {
    mkdirSync(join(back ? landing : aside, feed), { recursive: true });
    for (const n of readdirSync(join(back ? aside : landing, feed)).filter((x) => x.includes(last))) {
      renameSync(join(back ? aside : landing, feed, n), join(back ? landing : aside, feed, n));
      moved++;
    }
  }
  return moved;
}

/**
 * DuckDB against Spark local[2] on the same bronze, one after the other in one run: a full refresh
 * (bronze → gold with the quality gate), then one more day ingested and run incrementally. Wall time
 * and the peak RSS of the whole process tree (Node, and for Spark its Python driver and JVM).
 */
export function engines(scale: string): Record<string, unknown> {
  const base = mkdtempSync(join(tmpdir(), 'fitlake-bench-engines-'));
  try {
    const seed = join(base, 'seed');
    phase('generate', seed, scale);
    lastDay(seed, false);
    phase('ingest', seed, scale);
    const rows: Record<string, string | number>[] = [];
    const runs: Record<string, { full: PhaseResult; incremental: PhaseResult }> = {};
    for (const engine of ENGINES) {
      const root = join(base, engine);
      cpSync(seed, root, { recursive: true });
      const full = phase('pipeline-full', root, scale, engine);
      lastDay(root, true);
      phase('ingest', root, scale);
      const incremental = phase('pipeline', root, scale, engine);
      runs[engine] = { full, incremental };
      rows.push({ engine: engine === 'spark' ? 'spark local[2]' : engine, fullSeconds: full.seconds, fullPeakRssMb: full.peakRssMb, incrementalSeconds: incremental.seconds, incrementalPeakRssMb: incremental.peakRssMb, rowsWritten: full.rows });
    }
    console.table(rows.map((r) => ({ ...r, fullSeconds: Number(r.fullSeconds).toFixed(1), incrementalSeconds: Number(r.incrementalSeconds).toFixed(1), fullPeakRssMb: Math.round(Number(r.fullPeakRssMb)), incrementalPeakRssMb: Math.round(Number(r.incrementalPeakRssMb)) })));
    const ratio = runs.spark.full.seconds / runs.duckdb.full.seconds;
    console.log(`spark / duckdb wall time: full refresh ${ratio.toFixed(1)}×, incremental day ${(runs.spark.incremental.seconds / runs.duckdb.incremental.seconds).toFixed(1)}× (one machine, 2 cores)`);
    return { benchmark: 'engines', scale, rows, ratios: { full: ratio, incremental: runs.spark.incremental.seconds / runs.duckdb.incremental.seconds } };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
