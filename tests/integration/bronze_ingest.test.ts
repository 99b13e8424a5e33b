import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock } from '../../core/atomic_fs';
import { ConflictError } from '../../core/errors';
import { Db } from '../../pipelines/engine/duckdb/db';
import { silentLogger } from '../../core/logger';
import { ingestBronze, type IngestResult } from '../../pipelines/bronze/ingest';
import { BronzeLog } from '../../pipelines/bronze/log';
import { createBronzeViews } from '../../pipelines/bronze/reader';
import { FEEDS } from '../../pipelines/feeds';
import { generateInto, tmpLake, TZ } from '../helpers';
import { runCli } from './cli_runner';
import { readDirt, readManifestFile } from './landing_reader';

const OPTS = { timezone: TZ, maxFilesPerBatch: 1000 };
const NOW = () => new Date('2026-01-01T00:00:00Z');

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await Db.open({ memoryLimit: '512MB' });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

function ingest(root: string, maxFilesPerBatch = 1000): Promise<IngestResult> {
  return withDb((db) => ingestBronze(root, { ...OPTS, maxFilesPerBatch }, { db, logger: silentLogger, now: NOW }));
}

/** Rows visible to readers per bronze table, and duplicates of (file, line) among them. */
function visible(root: string): Promise<{ counts: Record<string, number>; quarantined: Record<string, number>; dupes: number }> {
  return withDb(async (db) => {
    await createBronzeViews(db, root);
    const counts: Record<string, number> = {};
    let dupes = 0;
    for (const f of FEEDS) {
      const r = await db.one<{ n: number; d: number }>(`SELECT count(*) AS n, count(DISTINCT (_source_file, _line_number)) AS d FROM bronze_${f.name}`);
      counts[f.name] = r.n;
      dupes += r.n - r.d;
    }
    const q = await db.all<{ feed: string; n: number }>(`SELECT feed, count(*) AS n FROM bronze_quarantine GROUP BY feed`);
    return { counts, quarantined: Object.fromEntries(q.map((x) => [x.feed, x.n])), dupes };
  });
}

describe('bronze ingestion', () => {
  const lake = tmpLake();
  let first: IngestResult;
  beforeAll(async () => {
    await generateInto(lake.root);
    first = await ingest(lake.root, 200);
  });
  afterAll(() => lake.cleanup());

  it('reconciles with the landing zone: landed lines = bronze rows + quarantined, per file and feed', async () => {
    const m = readManifestFile(lake.root);
    const sources = BronzeLog.load(join(lake.root, 'bronze', '_log')).ingested();
    expect(first.files).toBe(m.files.length);
    expect(first.batches).toBe(Math.ceil(m.files.length / 200));
    for (const f of m.files) {
      const s = sources.get(f.path)!;
      expect([f.path, s.rows + s.quarantined]).toEqual([f.path, f.lines]);
    }
    const v = await visible(lake.root);
    expect(v.dupes).toBe(0);
    for (const feed of FEEDS) {
      const torn = m.dirt[feed.name]?.malformed_line ?? 0;
      expect([feed.name, v.counts[feed.name], v.quarantined[feed.name] ?? 0]).toEqual([feed.name, m.feeds[feed.name].lines - torn, torn]);
    }
  });

  it('quarantines exactly the torn lines, with their raw text and a reason', async () => {
    const torn = readDirt(lake.root)
      .filter((d) => d.kind === 'malformed_line')
      .map((d) => `${d.file}:${d.line}`)
      .sort();
    const q = await withDb(async (db) => {
      await createBronzeViews(db, lake.root);
      return db.all<{ k: string; reason: string; raw_line: string }>(`SELECT _source_file || ':' || _line_number AS k, reason, raw_line FROM bronze_quarantine ORDER BY k`);
    });
    expect(q.map((x) => x.k).sort()).toEqual(torn);
    for (const x of q) {
      expect(x.reason).toMatch(/^(invalid_json|not_an_object|invalid_csv)$/);
      expect(x.raw_line.length).toBeGreaterThan(0);
    }
  });

  it('partitions by the event date, so late arrivals land in their own day', async () => {
    const late = readDirt(lake.root).filter((d) => d.kind === 'late_arrival' && d.feed === 'class_checkins');
    expect(late.length).toBeGreaterThan(0);
    const rows = await withDb(async (db) => {
      await createBronzeViews(db, lake.root);
      return db.all<{ scan_id: string; date: Date; file_date: string }>(
        `SELECT scan_id, date, regexp_extract(_source_file, '(\\d{4}-\\d{2}-\\d{2})', 1) AS file_date FROM bronze_class_checkins WHERE scan_id IN (${late.map((d) => `'${d.record_id}'`).join(',')})`,
      );
    });
    expect(rows.length).toBe(late.length);
    for (const r of rows) expect(r.date.toISOString().slice(0, 10) < r.file_date).toBe(true);
  });

  it('ingests nothing new on a re-run, and picks up a file dropped later', async () => {
    const before = await visible(lake.root);
    const again = await ingest(lake.root);
    expect([again.files, again.rows, again.batches]).toEqual([0, 0, 0]);
    expect(await visible(lake.root)).toEqual(before);

    const drop = join(lake.root, 'landing', 'app_events', 'app_events_2025-03-05.jsonl');
    writeFileSync(drop, '{"event_id":"A9","member_id":"M0000001","event_type":"app_open","occurred_at":1741176000000,"properties":{}}\nnot json\n');
    writeFileSync(join(lake.root, 'landing', 'app_events', '.app_events_2025-03-06.jsonl.123.tmp'), '{"half":');
    const later = await ingest(lake.root);
    expect([later.files, later.rows, later.quarantined]).toEqual([1, 1, 1]);
    const after = await visible(lake.root);
    expect(after.counts.app_events).toBe(before.counts.app_events + 1);
    expect(after.quarantined.app_events).toBe(before.quarantined.app_events + 1);
  });

  it('takes only the new lines of a grown file, once; a file whose earlier bytes changed is reported, never re-ingested', async () => {
    const before = await visible(lake.root);
    const path = join(lake.root, 'landing', 'app_events', 'app_events_2025-03-05.jsonl');
    appendFileSync(path, '{"event_id":"A10","occurred_at":1741176000000}\n');
    const r = await ingest(lake.root);
    expect([r.appended, r.files, r.rows, r.quarantined, r.changed]).toEqual([['app_events/app_events_2025-03-05.jsonl'], 1, 1, 0, []]);
    const lines = await withDb(async (db) => {
      await createBronzeViews(db, lake.root);
      return db.all<{ event_id: string; _line_number: number }>(`SELECT event_id, _line_number FROM bronze_app_events WHERE _source_file = 'app_events/app_events_2025-03-05.jsonl' ORDER BY 2`);
    });
    expect(lines.map((l) => [l.event_id, Number(l._line_number)])).toEqual([['A9', 1], ['A10', 3]]);
    expect((await ingest(lake.root)).files).toBe(0);

    writeFileSync(path, '{"event_id":"B1","occurred_at":1741176000000}\n'.repeat(5));
    const rewritten = await ingest(lake.root);
    expect([rewritten.changed, rewritten.files]).toEqual([['app_events/app_events_2025-03-05.jsonl'], 0]);
    expect((await visible(lake.root)).counts.app_events).toBe(before.counts.app_events + 1);
  });

  it('lands the rest of a batch when a whole file is garbage', async () => {
    const dir = join(lake.root, 'landing', 'equipment_usage');
    writeFileSync(join(dir, 'equipment_usage_2025-03-07.csv'), 'usage_id,machine_id,machine_type,club_id,member_id,started_at,duration_sec,sets,reps,weight_kg\n<html>oops</html>\n,,,\n');
    writeFileSync(join(dir, 'equipment_usage_2025-03-08.csv'), 'usage_id,machine_id,machine_type,club_id,member_id,started_at,duration_sec,sets,reps,weight_kg\nE1,C01-ROWER-01,rower,C01,M0000001,1741435200000,600,,,\n');
    const r = await ingest(lake.root);
    expect([r.files, r.rows, r.quarantined]).toEqual([2, 1, 2]);
  });

  it('allows one ingestion at a time', async () => {
    const lockPath = join(lake.root, 'bronze', '_ingest.lock');
    writeFileSync(lockPath, String(process.ppid));
    await expect(ingest(lake.root)).rejects.toThrow(ConflictError);
    await expect(ingest(lake.root)).rejects.toThrow(/already running \(pid/);
    writeFileSync(lockPath, '999999999');
    const release = acquireLock(lockPath, 'test');
    expect(existsSync(lockPath)).toBe(true);
    release();
    expect(existsSync(lockPath)).toBe(false);
  });
});

function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.parquet'));
}

describe('bronze ingestion after a crash', () => {
  it.each(['bronze.after_stage', 'bronze.mid_move:4', 'bronze.before_commit'])('killed at %s: the last good state stays readable and a re-run is exactly-once', async (fault) => {
    const lake = tmpLake();
    try {
      await generateInto(lake.root);
      const landing = join(lake.root, 'landing');
      const aside = join(lake.root, 'aside');
      const feb = FEEDS.flatMap((f) => (existsSync(join(landing, f.name)) ? readdirSync(join(landing, f.name)).filter((n) => n.includes('2025-02')).map((n) => `${f.name}/${n}`) : []));
      for (const p of feb) {
        mkdirSync(join(aside, p.split('/')[0]), { recursive: true });
        renameSync(join(landing, p), join(aside, p));
      }
      expect(runCli(['ingest', '--lakehouse', lake.root]).status).toBe(0);
      const january = await visible(lake.root);
      for (const p of feb) renameSync(join(aside, p), join(landing, p));

      const crashed = runCli(['ingest', '--lakehouse', lake.root, '--max-files-per-batch', '500'], { FITLAKE_FAULT: fault });
      expect(crashed.signal).toBe('SIGKILL');
      const committed = BronzeLog.load(join(lake.root, 'bronze', '_log')).commits.flatMap((c) => c.outputs).length;
      expect(parquetFiles(join(lake.root, 'bronze')).length).toBeGreaterThan(committed);
      expect(await visible(lake.root)).toEqual(january);

      const redo = runCli(['ingest', '--lakehouse', lake.root]);
      expect(redo.status).toBe(0);
      const all = await visible(lake.root);
      const m = readManifestFile(lake.root);
      expect(all.dupes).toBe(0);
      for (const feed of FEEDS) {
        const torn = m.dirt[feed.name]?.malformed_line ?? 0;
        expect([feed.name, all.counts[feed.name] + (all.quarantined[feed.name] ?? 0)]).toEqual([feed.name, m.feeds[feed.name].lines]);
        expect(all.quarantined[feed.name] ?? 0).toBe(torn);
      }
      expect(existsSync(join(lake.root, 'bronze', '_staging'))).toBe(false);
    } finally {
      lake.cleanup();
    }
  });
});
