import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { PRODUCTS } from '../../pipelines/data_gen/catalog';
import { generate } from '../../pipelines/data_gen/generate';
import { WorkerHost } from '../../pipelines/data_gen/shard_host';
import { FEEDS } from '../../pipelines/feeds';
import { fixturePath } from '../fixtures/cache';
import { generateInto, NO_DIRT, options, tmpLake } from '../helpers';
import { localDate, readCsv, readDirt, readLanding, readManifestFile, styleOf, type LandingLine } from './landing_reader';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('synthetic gym generator (tiny)', () => {
  // `a`: the tiny fixture, generated with the same options in another process (read only)
  const a = { root: fixturePath('tiny') };
  const b = tmpLake();
  const c = tmpLake();
  let lines: LandingLine[];
  beforeAll(async () => {
    await generateInto(b.root);
    await generateInto(c.root, { seed: 43 });
    lines = readLanding(a.root, readManifestFile(a.root));
  });
  afterAll(() => [b, c].forEach((l) => l.cleanup()));

  it('is byte-identical for the same seed and different for another', () => {
    const ma = readManifestFile(a.root);
    expect(readManifestFile(b.root)).toEqual(ma);
    for (const f of ma.files) expect(sha(join(a.root, 'landing', f.path))).toBe(f.sha256);
    for (const t of readdirSync(join(a.root, '_truth'))) expect(sha(join(b.root, '_truth', t))).toBe(sha(join(a.root, '_truth', t)));
    const mc = readManifestFile(c.root);
    const other = new Map(mc.files.map((f) => [f.path, f.sha256]));
    const same = ma.files.filter((f) => other.get(f.path) === f.sha256 && f.feed !== 'products');
    expect(same).toEqual([]);
  });

  it('writes every domain, each line in its feed schema unless it is a logged torn line', () => {
    const m = readManifestFile(a.root);
    for (const feed of FEEDS) expect(m.feeds[feed.name].lines).toBeGreaterThan(0);
    expect(new Set(FEEDS.map((f) => f.domain)).size).toBe(8);
    const torn = new Set(readDirt(a.root).filter((d) => d.kind === 'malformed_line').map((d) => `${d.file}:${d.line}`));
    const bad = lines.filter((l) => l.record === null).map((l) => `${l.file}:${l.line}`);
    expect(bad.sort()).toEqual([...torn].sort());
    for (const l of lines) {
      if (!l.record) continue;
      expect(Object.keys(l.record).sort()).toEqual([...l.feed.columns].sort());
    }
    for (const f of m.files) {
      const spec = FEEDS.find((x) => x.name === f.feed)!;
      if (spec.format === 'csv') expect(readFileSync(join(a.root, 'landing', f.path), 'utf8').split('\n')[0]).toBe(spec.columns.join(','));
    }
  });

  it('counts every injected defect in the manifest, and the data agrees', () => {
    const m = readManifestFile(a.root);
    const dirt = readDirt(a.root);
    const counted: Record<string, Record<string, number>> = {};
    for (const d of dirt) ((counted[d.feed] ??= {})[d.kind] = (counted[d.feed]?.[d.kind] ?? 0) + 1);
    expect(counted).toEqual(m.dirt);
    const n = (feed: string, kind: string) => m.dirt[feed]?.[kind] ?? 0;
    const recs = (feed: string) => lines.filter((l) => l.feed.name === feed && l.record).map((l) => ({ ...l, r: l.record as Record<string, string> }));

    for (const feed of ['class_checkins', 'facility_usage', 'equipment_usage', 'app_events']) {
      const ids = new Set(recs(feed).filter((x) => String(x.r.member_id).startsWith('M9')).map((x) => x.r[x.feed.key]));
      expect([feed, ids.size]).toEqual([feed, n(feed, 'orphan_member')]);
    }
    const orphanTxns = new Set(recs('retail_sales').filter((x) => x.r.member_id.startsWith('M9')).map((x) => x.r.txn_id));
    expect(orphanTxns.size).toBe(n('retail_sales', 'orphan_member'));

    const neg = recs('facility_usage').filter((x) => Number(x.r.duration_min) < 0).length;
    expect(neg).toBe(n('facility_usage', 'out_of_range'));
    const eq = recs('equipment_usage').filter((x) => Number(x.r.duration_sec) < 0 || x.r.reps === '0' || x.r.reps === '10000').length;
    expect(eq).toBe(n('equipment_usage', 'out_of_range'));

    const canonical = new Set(PRODUCTS.map((p) => p.sku));
    const offCatalog = recs('retail_sales').filter((x) => !canonical.has(x.r.sku)).length;
    expect(offCatalog).toBe(n('retail_sales', 'sku_variant') + n('retail_sales', 'unknown_sku'));

    const checkins = recs('class_checkins');
    const scanIds = new Set(checkins.map((x) => x.r.scan_id));
    expect(checkins.length - scanIds.size).toBe(n('class_checkins', 'replayed_row'));
    const perVisit = new Map<string, Set<string>>();
    for (const x of checkins) {
      const k = `${x.r.member_id}|${x.r.session_id}`;
      perVisit.set(k, (perVisit.get(k) ?? new Set()).add(x.r.scan_id));
    }
    const doubles = [...perVisit.values()].reduce((s, ids) => s + ids.size - 1, 0);
    expect(doubles).toBe(n('class_checkins', 'double_scan'));
  });

  it('writes timestamps in the usual style except the logged ones, and late events into later files', () => {
    const m = readManifestFile(a.root);
    const firstSeen = new Map<string, LandingLine>();
    for (const feed of FEEDS) {
      const rows = lines.filter((l) => l.feed === feed && l.record);
      if (feed.timestampStyle !== 'date') {
        const odd = new Set(rows.filter((l) => styleOf(String(l.record![feed.eventTime])) !== feed.timestampStyle).map((l) => String(l.record![feed.key])));
        expect([feed.name, odd.size]).toEqual([feed.name, m.dirt[feed.name]?.timestamp_format ?? 0]);
      }
      const late = new Set<string>();
      for (const l of rows) {
        const key = feed.name === 'retail_sales' ? String(l.record!.txn_id) : feed.name === 'wearables' ? `${l.record!.member_id}@${l.record!.activity_date}` : String(l.record![feed.key]);
        const k = `${feed.name}|${key}`;
        if (firstSeen.has(k)) continue;
        firstSeen.set(k, l);
        if (localDate(String(l.record![feed.eventTime])) < l.fileDate) late.add(key);
      }
      expect([feed.name, late.size]).toEqual([feed.name, m.dirt[feed.name]?.late_arrival ?? 0]);
    }
  });

  it('writes ground truth that agrees with the landing data', () => {
    const churn = readCsv(join(a.root, '_truth', 'churn_monthly.csv'));
    const members = new Set(lines.filter((l) => l.feed.name === 'memberships' && l.record).map((l) => l.record!.member_id));
    expect(churn.length).toBeGreaterThan(200);
    for (const r of churn) {
      expect(members.has(r.member_id)).toBe(true);
      expect(Number(r.churn_probability)).toBeGreaterThan(0);
      expect(Number(r.churn_probability)).toBeLessThan(1);
    }
    const cancels = new Map(lines.filter((l) => l.feed.name === 'cancellations' && l.record).map((l) => [l.record!.member_id, l.record!.effective_date]));
    for (const r of churn.filter((x) => x.churned === '1')) expect(cancels.get(r.member_id)).toBe(r.effective_date);

    const variant = new Map(readDirt(a.root).filter((d) => d.kind === 'sku_variant' || d.kind === 'unknown_sku').map((d) => [d.record_id, d.detail.split('|')[1]]));
    const supp = new Set(PRODUCTS.filter((p) => p.category === 'supplements').map((p) => p.sku));
    const byWeek = new Map<string, number>();
    for (const l of lines.filter((x) => x.feed.name === 'retail_sales' && x.record)) {
      const r = l.record as Record<string, string>;
      const sku = variant.get(`${r.txn_id}#${r.line_no}`) ?? r.sku;
      if (!supp.has(sku)) continue;
      const d = new Date(`${localDate(r.sold_at)}T00:00:00Z`);
      const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86400000).toISOString().slice(0, 10);
      byWeek.set(`${monday}|${sku}`, (byWeek.get(`${monday}|${sku}`) ?? 0) + Number(r.quantity));
    }
    const weekly = readCsv(join(a.root, '_truth', 'supplement_weekly_demand.csv'));
    for (const w of weekly) expect([w.week_start, w.sku, Number(w.actual_units)]).toEqual([w.week_start, w.sku, byWeek.get(`${w.week_start}|${w.sku}`) ?? 0]);
    const expected = weekly.reduce((s, w) => s + Number(w.expected_units), 0);
    const actual = weekly.reduce((s, w) => s + Number(w.actual_units), 0);
    expect(Math.abs(actual - expected)).toBeLessThan(4 * Math.sqrt(expected));
  });

  it('writes the expected supplement demand of the 8 whole weeks after the data, simulated without records or truth rows', () => {
    const days = options().days;
    const end = new Date(Date.parse(`${options().start}T00:00:00Z`) + (days - 1) * 86400000).toISOString().slice(0, 10);
    const ahead = readCsv(join(a.root, '_truth', 'supplement_weekly_demand_ahead.csv'));
    const weeks = [...new Set(ahead.map((r) => r.week_start))];
    const supplements = PRODUCTS.filter((p) => p.category === 'supplements').length;
    expect(ahead).toHaveLength(weeks.length * supplements);
    expect(weeks.length).toBeGreaterThanOrEqual(9);
    // whole Monday weeks, the first one holding the data's last day or the day after
    const first = Date.parse(`${weeks[0]}T00:00:00Z`);
    expect(new Date(first).getUTCDay()).toBe(1);
    expect(first).toBeLessThanOrEqual(Date.parse(`${end}T00:00:00Z`) + 86400000);
    expect(first + 7 * 86400000).toBeGreaterThan(Date.parse(`${end}T00:00:00Z`));
    for (const r of ahead) expect(Number(r.expected_units)).toBeGreaterThan(0);
    // the days past the data wrote nothing else: no member who joined after it, no churn month after it
    for (const m of readCsv(join(a.root, '_truth', 'members.csv'))) expect(Number(m.join_day)).toBeLessThan(days);
    for (const c of readCsv(join(a.root, '_truth', 'churn_monthly.csv'))) expect(c.snapshot_date <= end).toBe(true);
  });

  it('refuses to mix with data generated under other options unless forced', async () => {
    await expect(generate(a.root, options({ seed: 7 }), { logger: silentLogger })).rejects.toThrow(ValidationError);
    await expect(generate(a.root, options({ seed: 7 }), { logger: silentLogger })).rejects.toThrow(/--force/);
    await expect(generate(a.root, options({ days: 0 }), { logger: silentLogger })).rejects.toThrow(/generator option days/);
    await expect(generate(b.root, options(), { logger: silentLogger, workers: 0 })).rejects.toThrow(/--workers must be a positive integer/);
    const forced = await generate(c.root, options(), { logger: silentLogger, force: true });
    expect(forced.manifest).toEqual(readManifestFile(a.root));
  });
});

describe('clean generation (--no-dirt)', () => {
  it('injects nothing and every line is a valid record', async () => {
    const lake = tmpLake();
    try {
      const r = await generateInto(lake.root, { dirt: NO_DIRT, days: 20 });
      expect(r.manifest.dirt).toEqual({});
      const lines = readLanding(lake.root, r.manifest);
      expect(lines.every((l) => l.record !== null)).toBe(true);
      expect(lines.filter((l) => String(l.record!.member_id ?? '').startsWith('M9'))).toEqual([]);
    } finally {
      lake.cleanup();
    }
  });
});

describe('a chain of clubs generated on worker threads', () => {
  const lakes = [1, 2, 3].map(() => tmpLake());
  const chain = { clubs: 3, members: 600, days: 45 };
  const results: Awaited<ReturnType<typeof generateInto>>[] = [];
  beforeAll(async () => {
    for (const [i, lake] of lakes.entries()) results.push(await generateInto(lake.root, chain, i + 1));
  });
  afterAll(() => lakes.forEach((l) => l.cleanup()));

  it('is byte-identical whatever the worker count', () => {
    const [one, ...others] = lakes;
    for (const other of others) {
      expect(readManifestFile(other.root)).toEqual(readManifestFile(one.root));
      for (const f of readManifestFile(one.root).files) expect(sha(join(other.root, 'landing', f.path))).toBe(f.sha256);
      for (const t of readdirSync(join(one.root, '_truth'))) expect(sha(join(other.root, '_truth', t))).toBe(sha(join(one.root, '_truth', t)));
    }
    expect(readdirSync(join(one.root, '_truth')).sort()).toEqual(['churn_monthly.csv', 'dirt.csv', 'manifest.json', 'member_affinities.csv', 'members.csv', 'supplement_weekly_demand.csv', 'supplement_weekly_demand_ahead.csv']);
  });

  it('splits the members over the clubs, with ids unique across the chain, and logs torn lines at their merged line', () => {
    const m = readManifestFile(lakes[0].root);
    const lines = readLanding(lakes[0].root, m);
    const snapshot = lines.filter((l) => l.feed.name === 'memberships' && l.record?.event_type === 'snapshot').map((l) => l.record!);
    const perClub = new Map<string, number>();
    for (const r of snapshot) perClub.set(String(r.home_club), (perClub.get(String(r.home_club)) ?? 0) + 1);
    expect([...perClub.entries()].sort()).toEqual([['C01', 200], ['C02', 200], ['C03', 200]]);
    const members = readCsv(join(lakes[0].root, '_truth', 'members.csv'));
    expect(members.length).toBe(m.members.total);
    expect(new Set(members.map((r) => r.member_id)).size).toBe(members.length);
    for (const [feed, key] of [['class_checkins', 'scan_id'], ['retail_sales', 'txn_id'], ['app_events', 'event_id'], ['memberships', 'event_id'], ['equipment_usage', 'usage_id']] as const) {
      const byId = new Map<string, string>();
      for (const l of lines) {
        if (l.feed.name !== feed || !l.record) continue;
        const id = `${l.record[key]}#${l.record.line_no ?? ''}`;
        const seen = byId.get(id);
        // the same id twice is only ever a replayed copy of the same record
        if (seen !== undefined) expect(JSON.stringify(l.record)).toBe(seen);
        byId.set(id, JSON.stringify(l.record));
      }
      expect(byId.size).toBeGreaterThan(0);
    }
    const torn = new Set(readDirt(lakes[0].root).filter((d) => d.kind === 'malformed_line').map((d) => `${d.file}:${d.line}`));
    expect(torn.size).toBeGreaterThan(0);
    expect(lines.filter((l) => l.record === null).map((l) => `${l.file}:${l.line}`).sort()).toEqual([...torn].sort());
  });

  it('stops every worker and leaves no part files when writing the landing zone fails', async () => {
    const lake = tmpLake();
    try {
      const small = { clubs: 3, members: 90, days: 5 };
      await generateInto(lake.root, small, 3);
      rmSync(join(lake.root, 'landing', 'app_events'), { recursive: true });
      writeFileSync(join(lake.root, 'landing', 'app_events'), 'not a folder');
      await expect(generateInto(lake.root, small, 3)).rejects.toThrow(/app_events/);
      expect(existsSync(join(lake.root, '_truth', '.parts'))).toBe(false);
    } finally {
      lake.cleanup();
    }
  });

  it('hands a worker thread failure to the caller, with the message the worker threw', async () => {
    const lake = tmpLake();
    // club 5 of a 2-club chain does not exist: the worker fails building it
    const host = new WorkerHost(options({ clubs: 2, members: 60, days: 3 }), [5], join(lake.root, 'parts'));
    try {
      await expect(host.next()).rejects.toThrow(/Cannot read properties of undefined \(reading 'idx'\)/);
    } finally {
      await host.close();
      lake.cleanup();
    }
  });
});
