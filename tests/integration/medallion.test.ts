import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Db } from '../../pipelines/engine/duckdb/db';
import { QualityError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { ingestBronze } from '../../pipelines/bronze/ingest';
import { BronzeLog } from '../../pipelines/bronze/log';
import { GOLD_EXPECTATIONS, SILVER_EXPECTATIONS } from '../../pipelines/quality/expectations';
import { runMedallion } from '../../pipelines/runner/medallion';
import { lakeTables } from '../../pipelines/runner/reader';
import { TableStore } from '../../pipelines/runner/table_store';
import { DEFAULT_DIRT } from '../../pipelines/data_gen/options';
import { fixtureCopy } from '../fixtures/cache';
import { generateInto, lakeContents, queryLake, tmpLake, TZ } from '../helpers';
import { runCli } from './cli_runner';
import { readDirt, readLanding, readManifestFile } from './landing_reader';

const sha = (paths: string[]) => paths.reduce((h, p) => h.update(readFileSync(p)), createHash('sha256')).digest('hex');
// after the fixtures' clock (tests/fixtures/lakes.ts), so run ids never collide with theirs
let clock = Date.parse('2026-01-02T00:00:00Z');
const now = () => new Date((clock += 1000));

async function ingest(root: string): Promise<void> {
  const db = await Db.open();
  try {
    await ingestBronze(root, { timezone: TZ, maxFilesPerBatch: 1000 }, { db, logger: silentLogger, now });
  } finally {
    db.close();
  }
}

const run = (root: string, extra: Partial<Parameters<typeof runMedallion>[1]> = {}) => runMedallion(root, { timezone: TZ, fullRefresh: false, ...extra }, { logger: silentLogger, now });

const query = queryLake;

/** Silver keeps exactly the original scan of every visit: no injected double scan, no orphan. */
async function expectDoubleScansRemoved(root: string): Promise<number> {
  const dirt = readDirt(root);
  const doubles = new Set(dirt.filter((d) => d.kind === 'double_scan').map((d) => d.record_id));
  const lines = readLanding(root, readManifestFile(root)).filter((l) => l.feed.name === 'class_checkins' && l.record);
  const truth = new Set(lines.map((l) => String(l.record!.scan_id)).filter((id) => !doubles.has(id)));
  for (const l of lines) if (String(l.record!.member_id).startsWith('M9')) truth.delete(String(l.record!.scan_id));
  const silver = await query<{ scan_id: string }>(root, 'SELECT scan_id FROM class_checkins');
  expect(silver.length).toBe(truth.size);
  expect(new Set(silver.map((r) => r.scan_id))).toEqual(truth);
  return doubles.size;
}

describe('double scans written in the tills\' minute-only format', () => {
  const lake = tmpLake();
  afterAll(() => lake.cleanup());

  it('keep the original scan: a minute-precision time does not outrank a precise one within that minute', async () => {
    await generateInto(lake.root, { days: 20, dirt: { ...DEFAULT_DIRT, doubleScan: 0.4, timestampFormat: 0.5, lateArrival: 0 } });
    await ingest(lake.root);
    await run(lake.root);
    const formats = new Map(readDirt(lake.root).filter((d) => d.kind === 'timestamp_format' && d.feed === 'class_checkins').map((d) => [d.record_id, d.detail]));
    const minuteOnlyDoubles = readDirt(lake.root).filter((d) => d.kind === 'double_scan' && formats.get(d.record_id)?.includes('/'));
    expect(minuteOnlyDoubles.length).toBeGreaterThan(10);
    expect(await expectDoubleScansRemoved(lake.root)).toBeGreaterThan(100);
  });
});

describe('silver and gold against the generator truth (tiny)', () => {
  const lake = fixtureCopy('tiny');
  afterAll(() => lake.cleanup());

  it('removes every injected duplicate check-in and no true one', () => expectDoubleScansRemoved(lake.root));

  it('maps every SKU variant to the right product and quarantines unknown SKUs', async () => {
    const dirt = readDirt(lake.root);
    const variants = dirt.filter((d) => d.kind === 'sku_variant');
    expect(variants.length).toBeGreaterThan(50);
    const rows = new Map((await query<{ k: string; sku: string }>(lake.root, `SELECT txn_id || '#' || line_no AS k, sku FROM retail_sales`)).map((r) => [r.k, r.sku]));
    const orphanTxns = new Set(dirt.filter((d) => d.kind === 'orphan_member' && d.feed === 'retail_sales').map((d) => d.record_id));
    for (const v of variants) {
      if (orphanTxns.has(v.record_id.split('#')[0])) continue;
      expect([v.detail, rows.get(v.record_id)]).toEqual([v.detail, v.detail.split('|')[1]]);
    }
    const unknown = dirt.filter((d) => d.kind === 'unknown_sku').map((d) => d.record_id).sort();
    const q = await query<{ record_key: string }>(lake.root, `SELECT record_key FROM silver_quarantine WHERE reason = 'unknown_sku' ORDER BY 1`);
    expect(q.map((r) => r.record_key)).toEqual(unknown);
  });

  it('parses every timestamp format to the exact UTC instant', async () => {
    const ts = readDirt(lake.root).filter((d) => d.kind === 'timestamp_format');
    const where: Record<string, [string, string, string]> = {
      class_checkins: ['class_checkins', 'scan_id', 'scanned_at'],
      facility_usage: ['facility_usage', 'usage_id', 'started_at'],
      equipment_usage: ['equipment_usage', 'usage_id', 'started_at'],
      app_events: ['app_events', 'event_id', 'occurred_at'],
      cancellations: ['cancellations', 'cancellation_id', 'requested_at'],
      retail_sales: ['retail_sales', 'txn_id', 'sold_at'],
    };
    let checked = 0;
    for (const [feed, [table, key, col]] of Object.entries(where)) {
      const got = new Map((await query<{ k: string; t: Date }>(lake.root, `SELECT ${key} AS k, ${col} AS t FROM ${table}`)).map((r) => [r.k, r.t.toISOString()]));
      for (const d of ts.filter((x) => x.feed === feed)) {
        if (!got.has(d.record_id)) continue;
        expect([d.detail, got.get(d.record_id)]).toEqual([d.detail, d.detail.split('|')[1]]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('quarantines every injected bad row with the right reason', async () => {
    const dirt = readDirt(lake.root);
    const q = await query<{ source_table: string; record_key: string; reason: string }>(lake.root, 'SELECT source_table, record_key, reason FROM silver_quarantine');
    const reasons = new Map(q.map((r) => [`${r.source_table}|${r.record_key}`, r.reason]));
    for (const d of dirt.filter((x) => x.kind === 'orphan_member' && x.feed !== 'retail_sales')) expect([d.record_id, reasons.get(`${d.feed}|${d.record_id}`)]).toEqual([d.record_id, 'orphan_member']);
    const retailOrphans = q.filter((r) => r.source_table === 'retail_sales' && r.reason === 'orphan_member').map((r) => r.record_key.split('#')[0]);
    expect(new Set(retailOrphans)).toEqual(new Set(dirt.filter((x) => x.kind === 'orphan_member' && x.feed === 'retail_sales').map((d) => d.record_id)));
    for (const d of dirt.filter((x) => x.kind === 'out_of_range')) {
      const reason = reasons.get(`${d.feed}|${d.record_id}`);
      expect([d.record_id, reason === 'orphan_member' || /^out_of_range:/.test(reason ?? '')]).toEqual([d.record_id, true]);
    }
    const expected = dirt.filter((x) => x.kind === 'out_of_range' || x.kind === 'unknown_sku').length + dirt.filter((x) => x.kind === 'orphan_member' && x.feed !== 'retail_sales').length + retailOrphans.length;
    expect(q.length).toBe(expected);
  });

  it('reconciles counts per domain and equals an independent recomputation of DAU and revenue', async () => {
    const dau = await query<{ date: Date; expected: number; got: number }>(
      lake.root,
      `WITH ev AS (
         SELECT member_id, checkin_date AS d FROM class_checkins UNION SELECT member_id, usage_date FROM facility_usage
         UNION SELECT member_id, usage_date FROM equipment_usage UNION SELECT member_id, event_date FROM app_events)
       SELECT g.date, coalesce(e.n, 0) AS expected, g.active_members AS got
       FROM daily_active_members g LEFT JOIN (SELECT d, count(DISTINCT member_id) AS n FROM ev GROUP BY d) e ON e.d = g.date`,
    );
    expect(dau.length).toBe(61);
    for (const r of dau) expect([r.date, r.got]).toEqual([r.date, r.expected]);
    const rev = await query<{ expected: number; got: number }>(
      lake.root,
      `SELECT (SELECT sum(quantity * unit_price) FROM retail_sales)::DOUBLE AS expected, (SELECT sum(revenue) FROM revenue_by_product_daily)::DOUBLE AS got`,
    );
    expect(rev[0].got).toBeCloseTo(rev[0].expected, 2);
    const m = readManifestFile(lake.root);
    const silverRows = await query<{ n: number }>(lake.root, 'SELECT (SELECT count(*) FROM class_checkins) + (SELECT count(*) FROM silver_quarantine WHERE source_table = \'class_checkins\') AS n');
    const dups = m.dirt.class_checkins.double_scan + m.dirt.class_checkins.replayed_row;
    expect(silverRows[0].n + dups).toBe(m.feeds.class_checkins.lines - m.dirt.class_checkins.malformed_line);
  });

  it('changes nothing when re-run without new data, and a full refresh rewrites the same bytes', async () => {
    const before = lakeTables(lake.root);
    const r = await run(lake.root);
    expect(r.steps.filter((s) => s.action === 'built')).toEqual([]);
    expect(lakeTables(lake.root)).toEqual(before);
    const full = await run(lake.root, { fullRefresh: true });
    expect(full.steps.filter((s) => s.action === 'skipped')).toEqual([]);
    const after = lakeTables(lake.root);
    for (const layer of ['silver', 'gold'] as const) {
      for (const [table, file] of Object.entries(before[layer])) {
        expect(after[layer][table]).not.toEqual(file);
        expect([table, sha(after[layer][table])]).toEqual([table, sha(file)]);
      }
    }
  });

  it('rebuilds only what a late batch changes: gold moves on the affected day alone', async () => {
    const before = await query<{ date: Date; active_members: number }>(lake.root, 'SELECT date, active_members FROM daily_active_members ORDER BY date');
    const member = (await query<{ member_id: string }>(lake.root, `SELECT member_id FROM dim_member WHERE is_current AND status = 'active' AND join_date < '2025-01-01' ORDER BY member_id LIMIT 1`))[0].member_id;
    const quiet = (await query<{ date: Date }>(lake.root, `SELECT date FROM dim_date WHERE date BETWEEN '2025-01-10' AND '2025-01-20' AND date NOT IN (SELECT date FROM member_daily_activity WHERE member_id = '${member}' AND active) ORDER BY date LIMIT 1`))[0].date;
    const day = quiet.toISOString().slice(0, 10);
    writeFileSync(
      join(lake.root, 'landing', 'facility_usage', 'facility_usage_2025-03-03.jsonl'),
      `{"usage_id":"FLATE1","member_id":"${member}","club_id":"C01","facility":"sauna","started_at":"${day}T07:00:00-05:00","duration_min":15}\n`,
    );
    await ingest(lake.root);
    const r = await run(lake.root);
    expect(r.steps.find((s) => s.model === 'dim_member')!.action).toBe('skipped');
    const step = (name: string) => r.steps.find((s) => s.model === name)!;
    for (const name of ['facility_usage__classified', 'facility_usage', 'member_daily_activity']) expect([name, step(name).action, step(name).partitions]).toEqual([name, 'partial', 1]);
    expect(step('class_checkins').action).toBe('skipped');
    const after = await query<{ date: Date; active_members: number }>(lake.root, 'SELECT date, active_members FROM daily_active_members ORDER BY date');
    const changed = after.filter((a, i) => a.active_members !== before[i].active_members).map((a) => a.date.toISOString().slice(0, 10));
    expect(changed).toEqual([day]);
    expect(after.find((a) => a.date.toISOString().startsWith(day))!.active_members).toBe(before.find((b) => b.date.toISOString().startsWith(day))!.active_members + 1);

    const incremental = await lakeContents(lake.root);
    await run(lake.root, { fullRefresh: true });
    expect(await lakeContents(lake.root)).toEqual(incremental);
  });

  it('stops before swapping gold when an error expectation fails, and reports a warning without stopping', async () => {
    const gold = new TableStore(join(lake.root, 'gold'));
    const before = gold.current('daily_active_members');
    const failing = { silver: SILVER_EXPECTATIONS, gold: [...GOLD_EXPECTATIONS, { kind: 'min_rows' as const, table: 'daily_active_members', min: 1e9, severity: 'error' as const }] };
    const stopped = await run(lake.root, { fullRefresh: true, expectations: failing }).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(QualityError);
    expect((stopped as QualityError).exitCode).toBe(6);
    expect((stopped as QualityError).message).toMatch(
      /^1 gold expectation\(s\) failed; gold not swapped in \(last good version kept\): daily_active_members: at least 1000000000 rows \(999999939 failing\)\. Report: quality\/runs\/\d{8}T\d{6}Z\/report\.html$/,
    );
    expect(gold.current('daily_active_members')).toEqual(before);
    const warned = { silver: SILVER_EXPECTATIONS, gold: [...GOLD_EXPECTATIONS, { kind: 'min_rows' as const, table: 'daily_active_members', min: 1e9, severity: 'warn' as const }] };
    const r = await run(lake.root, { expectations: warned });
    expect(r.quality.filter((q) => !q.passed).map((q) => q.description)).toEqual(['at least 1000000000 rows']);
    const missing = runCli(['quality', 'report', '--run', 'nope', '--lakehouse', lake.root]);
    expect([missing.status, missing.stderr]).toEqual([3, expect.stringMatching(/no quality run nope under/)]);
    const report = runCli(['quality', 'report', '--lakehouse', lake.root]);
    expect(report.status).toBe(0);
    expect(report.stdout).toMatch(/\(warned\)/);
    expect(report.stdout).toMatch(/warn {2}gold\.daily_active_members: at least 1000000000 rows — /);
  });

  it('keeps the previous gold readable when killed between silver and gold', async () => {
    const gold = new TableStore(join(lake.root, 'gold'));
    const before = gold.current('member_daily_activity');
    const crashed = runCli(['pipeline', 'run', '--full-refresh', '--lakehouse', lake.root], { FITLAKE_FAULT: 'pipeline.before_gold_swap' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(gold.current('member_daily_activity')).toEqual(before);
    const rows = await query<{ n: number }>(lake.root, 'SELECT count(*) AS n FROM member_daily_activity');
    expect(rows[0].n).toBe(before!.rows);
    const redo = runCli(['pipeline', 'run', '--lakehouse', lake.root]);
    expect(redo.status).toBe(0);
    expect(redo.stdout).toMatch(/quality \d+\/\d+ passed/);
  });

  it('after a crash between the silver and gold swaps of an incremental run, the next run rebuilds what gold missed: equal to a clean build', async () => {
    const day = join(lake.root, 'landing', 'facility_usage', 'facility_usage_2025-03-02.jsonl');
    writeFileSync(day.replace('03-02.jsonl', '03-04.jsonl'), readFileSync(day, 'utf8').replaceAll('"usage_id":"F', '"usage_id":"G'));
    expect(runCli(['ingest', '--lakehouse', lake.root]).status).toBe(0);
    const crashed = runCli(['pipeline', 'run', '--lakehouse', lake.root], { FITLAKE_FAULT: 'pipeline.before_gold_swap' });
    expect(crashed.signal).toBe('SIGKILL');
    expect((await run(lake.root, {})).steps.find((s) => s.model === 'facility_utilisation_hourly')?.action).toBe('built');
    const incremental = await lakeContents(lake.root);
    await run(lake.root, { fullRefresh: true });
    expect(await lakeContents(lake.root)).toEqual(incremental);
  });

  it('swaps each layer whole: killed during a swap, readers see every table of the old layer or every table of the new one', async () => {
    const layers = () => ({ silver: new TableStore(join(lake.root, 'silver')).snapshot(), gold: new TableStore(join(lake.root, 'gold')).snapshot() });
    const versions = (l: Record<string, { version: number }>) => Object.fromEntries(Object.entries(l).map(([t, p]) => [t, p.version]));
    const before = layers();
    const killedBeforeGold = runCli(['pipeline', 'run', '--full-refresh', '--lakehouse', lake.root], { FITLAKE_FAULT: 'pipeline.before_gold_swap' });
    expect(killedBeforeGold.signal).toBe('SIGKILL');
    const mid = layers();
    expect(mid.gold).toEqual(before.gold);
    for (const [t, p] of Object.entries(mid.silver)) expect([t, p.version > before.silver[t].version]).toEqual([t, true]);

    const killedInSwap = runCli(['pipeline', 'run', '--full-refresh', '--lakehouse', lake.root], { FITLAKE_FAULT: 'tables.after_swap' });
    expect(killedInSwap.signal).toBe('SIGKILL');
    const after = layers();
    expect(after.gold).toEqual(before.gold);
    for (const [t, p] of Object.entries(after.silver)) expect([t, p.version > mid.silver[t].version]).toEqual([t, true]);
    for (const layer of Object.values(lakeTables(lake.root))) {
      for (const [table, files] of Object.entries(layer)) expect([table, files.length > 0]).toEqual([table, true]);
    }
    const counts = await query<{ n: number }>(lake.root, 'SELECT count(*)::INTEGER AS n FROM member_daily_activity');
    expect(counts[0].n).toBe(before.gold.member_daily_activity.rows);

    mkdirSync(join(lake.root, 'silver', 'class_checkins', '_staging-999', 'checkin_date=2025-01-01'), { recursive: true });
    const redo = runCli(['pipeline', 'run', '--lakehouse', lake.root]);
    expect(redo.status).toBe(0);
    expect(versions(layers().silver)).toEqual(versions(after.silver));
    expect(readdirSync(join(lake.root, 'silver', 'class_checkins')).filter((n) => n.startsWith('_staging-'))).toEqual([]);
  });
});

describe('a batch ingested while the pipeline runs', () => {
  const lake = tmpLake();
  const refreshed = tmpLake();
  afterAll(() => {
    lake.cleanup();
    refreshed.cleanup();
  });

  /** Every silver and gold table's rows, order-insensitive. */
  it('is read by the next incremental run, which then equals a full refresh', async () => {
    await generateInto(lake.root, { days: 14 });
    const landing = join(lake.root, 'landing');
    const heldBack = join(lake.root, 'held-back');
    const late = readManifestFile(lake.root).files.filter((f) => f.path.includes('2025-01-1'));
    expect(late.length).toBeGreaterThan(10);
    for (const f of late) {
      mkdirSync(dirname(join(heldBack, f.path)), { recursive: true });
      renameSync(join(landing, f.path), join(heldBack, f.path));
    }
    await ingest(lake.root);
    await run(lake.root);
    for (const f of late) renameSync(join(heldBack, f.path), join(landing, f.path));
    // Another process ingests the held-back files right after this run read the bronze log.
    const load = BronzeLog.load.bind(BronzeLog);
    let ingested = false;
    const spy = jest.spyOn(BronzeLog, 'load').mockImplementation((dir) => {
      const log = load(dir);
      if (!ingested) {
        ingested = true;
        expect(runCli(['ingest'], { FITLAKE_LAKEHOUSE: lake.root, FITLAKE_TIMEZONE: TZ }).status).toBe(0);
      }
      return log;
    });
    const during = await run(lake.root).finally(() => spy.mockRestore());
    expect(ingested).toBe(true);
    const batches = BronzeLog.load(join(lake.root, 'bronze', '_log')).commits.map((c) => c.batch_id);
    expect(during.bronzeBatch).toBe(batches.at(-2));
    const next = await run(lake.root);
    expect(next.bronzeBatch).toBe(batches.at(-1));
    expect(next.steps.some((s) => s.action === 'partial' || s.action === 'built')).toBe(true);
    cpSync(lake.root, refreshed.root, { recursive: true });
    await run(refreshed.root, { fullRefresh: true });
    expect(await lakeContents(lake.root)).toEqual(await lakeContents(refreshed.root));
  });
});
