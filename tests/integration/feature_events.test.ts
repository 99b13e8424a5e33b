import { rmSync } from 'node:fs';
import { loadConfig } from '../../core/config';
import { localDay } from '../../core/dates';
import { silentLogger } from '../../core/logger';
import { noProgress } from '../../core/progress';
import { defineFeatureView } from '../../features/define';
import { DEFINITIONS } from '../../features/definitions';
import { FeatureStore } from '../../features/store';
import { Db } from '../../pipelines/engine/duckdb/db';
import { lakeTables } from '../../pipelines/runner/reader';
import { weeklySeries, weeklySupplementSales } from '../../training/forecast/weekly_sales';
import { dataCutoff } from '../../training/lake';
import { loadInteractions } from '../../training/recommend/interactions';
import type { TrainContext } from '../../training/trained';
import { fixtureCopy } from '../fixtures/cache';
import { queryLake, TZ } from '../helpers';
import { runCli } from './cli_runner';

const local = (col: string) => `timezone('${TZ}', ${col})`;
const known = (date: string, t: string) => `fitlake_day_start(fitlake_known_date(${date}, ${t}._source_file, ${t}._batch_id))`;
const at = (d: Date) => `'${d.toISOString()}'::TIMESTAMPTZ`;

/** Naive recomputations from silver, as the trainers read silver before the store fed them, plus "known by asOf". */
const NAIVE = {
  classes: (asOf: Date) => `SELECT c.member_id AS member, concat_ws(':', d.club_id, d.class_type, dayofweek(${local('d.starts_at')}), strftime(${local('d.starts_at')}, '%H:%M')) AS item,
      strftime(${local('c.scanned_at')}, '%Y-%m-%d') AS day, 1.0 AS weight, strftime(fitlake_known_date(c.checkin_date, c._source_file, c._batch_id), '%Y-%m-%d') AS known
    FROM class_checkins c JOIN dim_class_session d USING (session_id)
    WHERE c.member_id IS NOT NULL AND c.scanned_at <= ${at(asOf)} AND ${known('c.checkin_date', 'c')} <= ${at(asOf)}`,
  products: (asOf: Date) => `SELECT member_id AS member, sku AS item, strftime(sale_date, '%Y-%m-%d') AS day, sum(quantity)::DOUBLE AS weight
    FROM retail_sales r WHERE member_id IS NOT NULL AND sku IN (SELECT sku FROM dim_product) AND sold_at <= ${at(asOf)} AND ${known('sale_date', 'r')} <= ${at(asOf)} GROUP BY ALL`,
};
const ACTIVITIES = ['walking', 'running', 'cycling', 'swimming', 'yoga', 'gym_workout', 'hiking'];
/** Interactions as sorted lines, weights summed per (member, item, day): the store keeps a product's units landing on two days apart. */
function lines(rows: Record<string, unknown>[]): string[] {
  const sums = new Map<string, number>();
  for (const r of rows) sums.set(`${r.member}|${r.item}|${r.day}`, (sums.get(`${r.member}|${r.item}|${r.day}`) ?? 0) + Number(r.weight));
  return [...sums].map(([k, w]) => `${k}|${w}`).sort();
}

describe('events views: what the recommenders and the forecast train on, read as of a time', () => {
  const lake = fixtureCopy('features');
  const config = loadConfig({ lakehouse: lake.root, timezone: TZ, logLevel: 'silent' }, {}, lake.root);
  const store = FeatureStore.open(config, { logger: silentLogger });
  const ctx: Pick<TrainContext, 'store' | 'lakehouse' | 'timezone' | 'duckdb' | 'progress'> = { store, lakehouse: lake.root, timezone: TZ, duckdb: config.duckdb, progress: noProgress };
  let cutoff: { last: string; asOf: Date };
  let earlier: Date;
  beforeAll(async () => {
    cutoff = await dataCutoff(ctx);
    earlier = new Date(cutoff.asOf.getTime() - 40.3 * 86_400_000); // mid-day, 40 days before the end
  });
  afterAll(async () => {
    await store.close();
    lake.cleanup();
  });

  it.each(['classes', 'products'] as const)('gives the %s recommender exactly the interactions silver holds that were known at the time', async (target) => {
    // just before a late record landed: it happened before then, so it counts at the cutoff but not at that time
    const [table, date] = target === 'classes' ? ['class_checkins', 'checkin_date'] : ['retail_sales', 'sale_date'];
    const [late] = await queryLake<{ ms: number }>(lake.root, `SELECT max(fitlake_epoch_ms(${known(date, 't')}))::DOUBLE AS ms FROM ${table} t WHERE member_id IS NOT NULL AND fitlake_known_date(${date}, _source_file, _batch_id) > ${date} + 1`);
    const before = new Date(late.ms - 1);
    for (const asOf of [cutoff.asOf, before, earlier]) {
      const { interactions } = await loadInteractions(ctx, target, asOf, Infinity);
      const naive = await queryLake(lake.root, NAIVE[target](asOf));
      expect(interactions.length).toBeGreaterThan(1000);
      expect(lines(interactions as unknown as Record<string, unknown>[])).toEqual(lines(naive));
      // the day each became known, which the holdout split reads (a model trained at a day's start saw only what had landed)
      if (target === 'classes') expect(interactions.map((r) => `${r.member}|${r.item}|${r.day}|${r.known}`).sort()).toEqual(naive.map((r) => `${r.member}|${r.item}|${r.day}|${r.known}`).sort());
    }
    const weight = async (sql: string) => (await queryLake<{ w: number }>(lake.root, `SELECT sum(weight)::DOUBLE AS w FROM (${sql}) x WHERE day < '${localDay(before, TZ)}'`))[0].w;
    expect(await weight(NAIVE[target](cutoff.asOf))).toBeGreaterThan(await weight(NAIVE[target](before)));
  });

  it('samples whole members when interactions exceed the cap, the same members every time', async () => {
    const all = await loadInteractions(ctx, 'classes', cutoff.asOf, Infinity);
    const [a, b] = [await loadInteractions(ctx, 'classes', cutoff.asOf, all.interactions.length / 2), await loadInteractions(ctx, 'classes', cutoff.asOf, all.interactions.length / 2)];
    expect(a.memberShare).toBeCloseTo(0.5, 6);
    expect(a.interactions).toEqual(b.interactions);
    const kept = new Set(a.interactions.map((r) => r.member));
    expect(a.interactions.length).toBe(all.interactions.filter((r) => kept.has(r.member)).length);
    expect(kept.size).toBeLessThan(new Set(all.interactions.map((r) => r.member)).size * 0.7);
  });

  it('gives the forecast the weekly supplement series of gold at the cutoff, and only the sales known at an earlier time', async () => {
    const { series, asOf } = await weeklySupplementSales(ctx);
    expect(asOf).toEqual(cutoff.asOf);
    const gold = await queryLake<{ sku: string; name: string; day: string; units: number }>(lake.root, `SELECT sku, product_name AS name, strftime(date, '%Y-%m-%d') AS day, sum(units)::DOUBLE AS units FROM revenue_by_product_daily WHERE category = 'supplements' GROUP BY ALL`);
    const [{ first }] = await queryLake<{ first: string }>(lake.root, `SELECT strftime(min(date), '%Y-%m-%d') AS first FROM dim_date`);
    expect(series).toEqual(weeklySeries(gold, first, cutoff.last));
    expect(series[0].units.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);

    const events = await store.getEvents({ service: 'supplement_forecast' }, earlier);
    const got = (await events.rows()).map((r) => `${r.sku}|${r.day}|${Number(r.units)}`);
    const naive = await queryLake<{ sku: string; day: string; units: number }>(lake.root, `SELECT sku, strftime(sale_date, '%Y-%m-%d') AS day, sum(quantity)::DOUBLE AS units FROM retail_sales r
      WHERE sku IN (SELECT sku FROM dim_product) AND ${known('sale_date', 'r')} <= ${at(earlier)} GROUP BY sku, sale_date, ${known('sale_date', 'r')}`);
    expect(got.sort()).toEqual(naive.map((r) => `${r.sku}|${r.day}|${Number(r.units)}`).sort());
    expect(await events.count()).toBe(got.length);
  });

  it('gives the wearables models the activity mix and mean calories known at the start of each day, as a naive recomputation from silver says', async () => {
    const days = `SELECT member_id, fitlake_day_start(activity_date) AS event_timestamp, activity_date AS day FROM wearables ORDER BY md5(member_id || CAST(activity_date AS VARCHAR)) LIMIT 60`;
    const set = await store.getHistoricalFeatures({ sql: days }, { service: 'wearables' });
    const got = await set.rows();
    await set.close();
    // a summary counts at day D when it was for one of the 30 days before D and had landed by D
    const naive = await queryLake<Record<string, number | string>>(lake.root, `WITH e AS (${days})
      SELECT e.member_id, strftime(e.day, '%Y-%m-%d') AS day, count(w.member_id)::DOUBLE AS n, coalesce(sum(w.calories_burned), 0)::DOUBLE AS kcal,
        ${ACTIVITIES.map((a) => `count(w.member_id) FILTER (WHERE w.activity_type = '${a}')::DOUBLE AS ${a}`).join(', ')}
      FROM e LEFT JOIN wearables w ON w.member_id = e.member_id AND w.activity_date BETWEEN e.day - 30 AND e.day - 1 AND fitlake_known_date(w.activity_date, w._source_file, w._batch_id) <= e.day
      GROUP BY ALL`);
    const byKey = new Map(naive.map((r) => [`${r.member_id}|${r.day}`, r]));
    const present = got.filter((r) => r.prev_days !== null);
    expect(present.length).toBeGreaterThan(50);
    for (const r of present) {
      const n = byKey.get(`${r.member_id}|${localDay(r.event_timestamp as Date, TZ)}`)!;
      const share = (x: number) => (Number(n.n) ? x / Number(n.n) : 0);
      expect([r.member_id, r.prev_days, r.avg_calories_30d, ...ACTIVITIES.map((a) => r[`prev_${a}`])].map((v) => (typeof v === 'number' ? Number(v.toFixed(9)) : v))).toEqual(
        [r.member_id, Number(n.n) / 30, share(Number(n.kcal)), ...ACTIVITIES.map((a) => share(Number(n[a])))].map((v) => (typeof v === 'number' ? Number(v.toFixed(9)) : v)),
      );
    }
  });

  it('refuses reads that do not name one events view, and an events view declared online', async () => {
    await expect(store.getEvents({ service: 'churn' }, cutoff.asOf)).rejects.toMatchObject({ field: 'service', message: 'getEvents reads exactly one events view; the request names none' });
    await expect(store.getEvents({ features: ['member_purchases:units', 'member_class_attendance:day'] }, cutoff.asOf)).rejects.toMatchObject({
      field: 'features',
      message: 'getEvents reads exactly one events view; the request names member_purchases, member_class_attendance',
    });
    expect(() => store.entityReader({ service: 'supplement_forecast' })).toThrow(expect.objectContaining({ field: 'service', message: 'feature service supplement_forecast has only events views: read it with getEvents' }));
    const view = DEFINITIONS.views.find((v) => v.name === 'member_purchases')!;
    expect(() => defineFeatureView({ ...view, online: true })).toThrow('invalid feature view member_purchases definition: online: an events view is read offline, as of a time (getEvents), and has no latest value to serve: set online: false');
  });

  it('shows an events view as of a time from the CLI, and refuses bad flags with the flag named', async () => {
    const r = runCli(['features', 'events', '--service', 'supplement_forecast', '--as-of', earlier.toISOString(), '--limit', '3', '--lakehouse', lake.root]);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const shown = JSON.parse(r.stdout) as { as_of: string; columns: string[]; count: number; events: Record<string, unknown>[] };
    const events = await store.getEvents({ service: 'supplement_forecast' }, earlier);
    expect(shown).toMatchObject({ as_of: earlier.toISOString(), columns: ['sku', 'feature_ts', 'created_ts', 'day', 'product_name', 'category', 'units'], count: await events.count() });
    expect(shown.events).toEqual(JSON.parse(JSON.stringify(await events.rows({ limit: 3 }))));
    for (const [args, message] of [
      [['--service', 'supplement_forecast', '--as-of', 'last tuesday'], '--as-of must be an ISO date or timestamp, got "last tuesday"'],
      [['--service', 'churn'], 'getEvents reads exactly one events view; the request names none'],
      [['--service', 'supplement_forecast', '--limit', '-1'], '--limit must be 0 or more, got -1'],
      [[], 'give exactly one of --service and --features'],
    ] as const) {
      const bad = runCli(['features', 'events', ...args, '--lakehouse', lake.root]);
      expect([args.join(' '), bad.status, bad.stderr]).toEqual([args.join(' '), 2, expect.stringContaining(message)]);
    }
  });

  it('says when nothing was known yet, and when the calendar is empty', async () => {
    await expect(loadInteractions(ctx, 'classes', new Date('2000-01-01T00:00:00Z'), Infinity)).rejects.toThrow(
      'no classes interactions known at 2000-01-01T00:00:00.000Z in feature service recommend_classes; run the pipeline first',
    );
    const empty = fixtureCopy('features');
    try {
      // the calendar's file replaced by one with no rows (removed first: the copy's Parquet files are hard links to the fixture)
      const [file] = lakeTables(empty.root).silver.dim_date;
      const rows = await queryLake(empty.root, `SELECT * FROM dim_date`);
      expect(rows.length).toBeGreaterThan(100);
      const db = await Db.open({});
      await db.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${file}') LIMIT 0`);
      rmSync(file);
      await db.run(`COPY t TO '${file}' (FORMAT parquet)`);
      db.close();
      await expect(dataCutoff({ ...ctx, lakehouse: empty.root })).rejects.toThrow('the calendar (silver dim_date) is empty: run the pipeline first');
    } finally {
      empty.cleanup();
    }
  });

  it('reads a service\'s other views by entity: the recommenders\' home club, point in time', async () => {
    const { interactions, homeClub } = await loadInteractions(ctx, 'classes', cutoff.asOf, Infinity);
    const member = interactions[0].member;
    const set = await store.getHistoricalFeatures({ rows: [{ member_id: member, event_timestamp: cutoff.asOf.toISOString() }] }, { service: 'recommend_classes' }, { ignoreTtl: true });
    expect(set.columns).toEqual(['member_id', 'event_timestamp', 'home_club']);
    const [row] = await set.rows();
    await set.close();
    const [dim] = await queryLake<{ club: string }>(lake.root, `SELECT arg_max(club_id, valid_from) AS club FROM dim_member WHERE member_id = '${member}' AND valid_from < ${at(cutoff.asOf)} - INTERVAL 1 DAY`);
    expect([row.home_club, homeClub.get(member)]).toEqual([dim.club, dim.club]);
    expect(homeClub.size).toBe(new Set(interactions.map((r) => r.member)).size);
  });
});
