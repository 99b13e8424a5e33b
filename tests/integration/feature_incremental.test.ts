import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays } from '../../core/dates';
import { silentLogger } from '../../core/logger';
import { Db } from '../../pipelines/engine/duckdb/db';
import { TableStore } from '../../pipelines/runner/table_store';
import { sqlStringList } from '../../pipelines/sql/quote';
import { DEFINITIONS } from '../../features/definitions';
import { FeatureStore } from '../../features/store';
import type { BuildReport } from '../../features/offline/offline_store';
import { runMedallion } from '../../pipelines/runner/medallion';
import { fixtureCopy } from '../fixtures/cache';
import { ingestAndRun, servingConfig, testClock } from '../fixtures/lakes';
import { offlineTable, TZ } from '../helpers';
import { runCli } from './cli_runner';

/** Every view's rows (key, times, features) in the table holding it, sorted, as one string per view. */
async function viewContents(root: string): Promise<Record<string, string>> {
  const db = await Db.open({ threads: 1 });
  try {
    const out: Record<string, string> = {};
    for (const view of DEFINITIONS.views) {
      const key = DEFINITIONS.entities.find((e) => e.name === view.entities[0])!.joinKey;
      const cols = [key, 'feature_ts', 'created_ts', ...view.schema.map((f) => f.name)].map((c) => `"${c}"`).join(', ');
      const [r] = await db.all<{ n: number; h: string }>(`SELECT count(*)::INTEGER AS n, md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) AS h FROM (SELECT ${cols} FROM read_parquet(${sqlStringList(offlineTable(root, view.name).files)})) t`);
      out[view.name] = `${r.n}:${r.h}`;
    }
    return out;
  } finally {
    db.close();
  }
}

/** The landing files of the data's last day (every feed), moved aside. */
function holdBackLastDay(root: string, aside: string): string {
  const landing = join(root, 'landing');
  const files = readdirSync(landing).flatMap((feed) => readdirSync(join(landing, feed)).map((f) => join(feed, f)));
  const last = files.map((f) => /(\d{4}-\d{2}-\d{2})\.\w+$/.exec(f)?.[1] ?? '').sort().at(-1)!;
  for (const f of files.filter((x) => x.includes(last))) {
    mkdirSync(join(aside, f, '..'), { recursive: true });
    renameSync(join(landing, f), join(aside, f));
  }
  return last;
}

function restore(root: string, aside: string): void {
  if (!existsSync(aside)) return;
  for (const feed of readdirSync(aside)) for (const f of readdirSync(join(aside, feed))) renameSync(join(aside, feed, f), join(root, 'landing', feed, f));
}

describe('incremental offline builds (300 members × 150 days, the last day arriving a day late)', () => {
  const lake = fixtureCopy('features', { without: ['bronze', 'silver', 'gold', 'quality', 'features'] });
  const full = fixtureCopy('features');
  const now = testClock('2026-02-01T00:00:00Z');
  const open = () => FeatureStore.open({ ...servingConfig(lake.root), features: { offline: { type: 'duckdb' }, online: { type: 'embedded' } } }, { logger: silentLogger, now });
  afterAll(() => {
    lake.cleanup();
    full.cleanup();
  });

  it("rewrites only the days each new day's data touches, keeps earlier files, and ends equal to a full build", async () => {
    const [day2, day1] = [join(lake.root, '_held_back_2'), join(lake.root, '_held_back_1')];
    const last = holdBackLastDay(lake.root, day2);
    holdBackLastDay(lake.root, day1);
    await ingestAndRun(lake.root, now);
    const store = open();
    store.apply();
    expect((await store.build()).every((r) => r.action === 'built')).toBe(true);
    const tables = new TableStore(join(lake.root, 'features', 'offline'));
    const files = () => Object.values(tables.current('member_days')!.partitions!).flatMap((p) => p.files);

    const updates: { member: BuildReport; before: string[] }[] = [];
    for (const aside of [day1, day2]) {
      const before = tables.current('member_days')!;
      restore(lake.root, aside);
      await ingestAndRun(lake.root, now);
      const reports = await store.build();
      const member = reports.find((r) => r.table === 'member_days')!;
      expect([member.action, member.rows]).toEqual(['updated', tables.current('member_days')!.rows]);
      expect(member.written).toBeLessThan(member.rows / 3);
      expect(reports.find((r) => r.table === 'member_live')!.action).toBe('built');
      const after = tables.current('member_days')!;
      const unchanged = Object.keys(before.partitions!).filter((m) => m < `${member.from!.slice(0, 7)}-01`);
      expect(unchanged.length).toBeGreaterThan(2);
      for (const m of unchanged) expect(after.partitions![m]).toEqual(before.partitions![m]);
      updates.push({ member, before: Object.values(before.partitions!).flatMap((p) => p.files) });
    }
    // the last day's update starts at that day (or the next, for facts known a day later) and keeps the
    // month's earlier file as it is: it rewrites only the small file the day before added
    expect([last, addDays(last, 1)]).toContain(updates[1].member.from);
    const month = `${updates[1].member.from!.slice(0, 7)}-01`;
    const monthFiles = (list: string[]) => list.filter((f) => f.includes(`=${month}/`));
    expect(monthFiles(files()).filter((f) => monthFiles(updates[1].before).includes(f)).length).toBeGreaterThan(0);

    // the same tables as a lake that had every day from the start, and as a forced full build
    const incremental = await viewContents(lake.root);
    expect(incremental).toEqual(await viewContents(full.root));
    expect((await store.build({ force: true })).every((r) => r.action === 'built')).toBe(true);
    expect(await viewContents(lake.root)).toEqual(incremental);
    await store.close();
  });

  it('rewrites nothing when the pipeline rebuilds its tables with the same contents', async () => {
    const store = open();
    const tables = new TableStore(join(lake.root, 'features', 'offline'));
    const before = tables.snapshot();
    const r = await runMedallion(lake.root, { timezone: TZ, fullRefresh: true }, { logger: silentLogger, now });
    expect(r.steps.filter((s) => s.action === 'built').length).toBeGreaterThan(10);
    const reports = await store.build();
    const events = ['member_class_attendance', 'member_purchases', 'product_daily_sales'];
    expect(reports.filter((x) => x.table !== 'member_live').map((x) => [x.table, x.action, x.written])).toEqual(
      ['member_days', 'product_days', 'class_type_days', ...events].map((t) => [t, 'skipped', 0]),
    );
    const after = tables.snapshot();
    for (const t of ['member_days', 'product_days', 'class_type_days']) expect(after[t].partitions).toEqual(before[t].partitions);
    // events tables are rebuilt aside and compared: the same rows keep the current version
    for (const t of events) expect([t, after[t].version, after[t].file]).toEqual([t, before[t].version, before[t].file]);
    // the next build knows at once: nothing to read
    expect((await store.build()).every((x) => x.action === 'skipped' && x.seconds === 0)).toBe(true);
    await store.close();
  });

  it('leaves the previous tables readable when a build is killed before its swap, and the next build clears what it left', async () => {
    const before = await viewContents(lake.root);
    const tables = new TableStore(join(lake.root, 'features', 'offline'));
    const version = tables.current('member_days')!.version;
    const killed = runCli(['features', 'build', '--force', '--lakehouse', lake.root], { FITLAKE_FAULT: 'features.before_swap' });
    expect(killed.signal).toBe('SIGKILL');
    expect(tables.current('member_days')!.version).toBe(version);
    expect(await viewContents(lake.root)).toEqual(before);
    const onDisk = () => readdirSync(tables.tableDir('member_days'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet')).sort();
    const referenced = () => Object.values(tables.current('member_days')!.partitions!).flatMap((p) => p.files);
    const kept = referenced();
    expect(onDisk().length).toBeGreaterThan(kept.length);
    const rebuilt = runCli(['features', 'build', '--force', '--lakehouse', lake.root]);
    expect([rebuilt.status, rebuilt.stdout]).toEqual([0, expect.stringMatching(/^built {3}member_days \(member_visits, member_retail, member_app, member_wearables, member_activity_mix, member_profile\): \d+ rows in [\d.]+ s$/m)]);
    expect(await viewContents(lake.root)).toEqual(before);
    // the killed build's files are gone; the previous version's stay one swap longer for its readers
    expect(onDisk()).toEqual([...new Set([...referenced(), ...kept])].sort());
  });

  it('rebuilds a table in full, saying why, when the state beside it is unreadable', () => {
    const tables = new TableStore(join(lake.root, 'features', 'offline'));
    const state = join(tables.tableDir('member_days'), `state-${tables.current('member_days')!.version}.json`);
    writeFileSync(state, '{"version": 1, "defin');
    expect(runCli(['pipeline', 'run', '--full-refresh', '--lakehouse', lake.root]).status).toBe(0);
    const r = runCli(['features', 'build', '--lakehouse', lake.root]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^built {3}member_days \(/m);
    expect(r.stdout).toMatch(/^skipped product_days \(product_sales\): \d+ rows, unchanged$/m);
    const warning = r.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((l) => l.level === 40);
    expect(warning).toMatchObject({ table: 'member_days', path: state, msg: 'unreadable build state: rebuilding the table in full' });
  });

  it('keeps the daily-grid property when an update has no row to write (a change after the last day)', () => {
    const tables = new TableStore(join(lake.root, 'features', 'offline'));
    const before = tables.current('member_days')!;
    expect(before.properties?.daily_grid_zone).toBe(TZ);
    const path = join(tables.tableDir('member_days'), `state-${before.version}.json`);
    const state = JSON.parse(readFileSync(path, 'utf8'));
    state.digests['spine:member_days']['2099-01-01'] = '1:0';
    writeFileSync(path, JSON.stringify(state));
    expect(runCli(['pipeline', 'run', '--full-refresh', '--lakehouse', lake.root]).status).toBe(0);
    const r = runCli(['features', 'build', '--lakehouse', lake.root]);
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/^updated member_days \(.*\): 0 rows from 2099-01-01, \d+ in the table, [\d.]+ s$/m)]);
    const after = tables.current('member_days')!;
    expect([after.rows, after.properties?.daily_grid_zone]).toEqual([before.rows, TZ]);
  });
});
