import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { Db } from '../../pipelines/engine/duckdb/db';
import { isDeltaTable, latestDeltaVersion, readDeltaSnapshot } from '../../pipelines/delta/delta_log';
import { readQualityRun } from '../../pipelines/quality/report';
import { runMedallion } from '../../pipelines/runner/medallion';
import { loadModels, parseModel } from '../../pipelines/runner/models';
import { TableStore } from '../../pipelines/runner/table_store';
import { fixtureCopy, fixturePath } from '../fixtures/cache';
import { lakeContents, TZ } from '../helpers';
import { runCli } from './cli_runner';

jest.setTimeout(600_000);
const REPO = join(__dirname, '..', '..');

const spark = (root: string, ...extra: string[]) => runCli(['pipeline', 'run', '--engine', 'spark', '--master', 'local[2]', '--lakehouse', root, ...extra], {}, { timeoutMs: 480_000 });
const deltaVersions = (root: string, layer: string) =>
  Object.fromEntries(
    readdirSync(join(root, layer))
      .filter((t) => isDeltaTable(join(root, layer, t)))
      .map((t) => [t, latestDeltaVersion(join(root, layer, t))]),
  );
/** Order-insensitive contents of a Parquet file: rows and a hash of them. */
const parquetContents = async (path: string | string[]) => {
  const db = await Db.open();
  try {
    const files = (Array.isArray(path) ? path : [path]).map((f) => `'${f}'`).join(', ');
    const [r] = await db.all<{ n: number; h: string }>(`SELECT count(*)::INTEGER AS n, md5(coalesce(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR), '')) AS h FROM read_parquet([${files}], hive_partitioning = false) t`);
    return `${r.n}:${r.h}`;
  } finally {
    db.close();
  }
};
const offlineContents = async (root: string) => {
  const store = new TableStore(join(root, 'features', 'offline'));
  const out: Record<string, string> = {};
  for (const [table, p] of Object.entries(store.snapshot())) out[table] = await parquetContents(store.files(p));
  return out;
};
/** Spark drivers running now (by pid); those already running when this file started (another user's run) are not ours. */
const drivers = () => new Set(execFileSync('bash', ['-c', 'pgrep -f "[e]ngine/spark/server.py" || true'], { encoding: 'utf8' }).split('\n').filter(Boolean));
const othersDrivers = drivers();
const ourDrivers = () => [...drivers()].filter((pid) => !othersDrivers.has(pid));
const waitForNoDriver = async () => {
  for (let i = 0; i < 60 && ourDrivers().length > 0; i++) await new Promise((ok) => setTimeout(ok, 500));
  expect(ourDrivers()).toEqual([]);
};
const outcomes = (root: string) =>
  readQualityRun(root)
    .results.map((r) => `${r.layer}.${r.table} ${r.description}: ${r.passed ? 'pass' : `fail ${r.failing}`}`)
    .sort();

/**
 * The same model files on Spark (local[2], PySpark from .venv) and on DuckDB: a copy of the tiny lake
 * keeps its bronze, Spark builds silver and gold, and every table must equal the DuckDB-built
 * fixture's, row for row.
 */
describe('the Spark engine', () => {
  const lake = fixtureCopy('tiny', { without: ['silver', 'gold', 'quality'] });
  const duckdb = fixturePath('tiny');
  afterAll(() => lake.cleanup());

  it('keeps the last good layers when killed before the gold swap, leaves no driver, and the next run completes: every table identical to DuckDB', async () => {
    const killed = runCli(['pipeline', 'run', '--engine', 'spark', '--lakehouse', lake.root], { FITLAKE_FAULT: 'pipeline.before_gold_swap' }, { timeoutMs: 480_000 });
    expect(killed.signal).toBe('SIGKILL');
    expect([Object.keys(new TableStore(join(lake.root, 'silver')).snapshot()).length, new TableStore(join(lake.root, 'gold')).snapshot()]).toEqual([22, {}]);
    expect(deltaVersions(lake.root, 'silver')).toEqual(Object.fromEntries(Object.keys(new TableStore(join(lake.root, 'silver')).snapshot()).map((t) => [t, 0])));
    expect(readdirSync(join(lake.root, 'gold')).filter((t) => isDeltaTable(join(lake.root, 'gold', t)))).toEqual([]);
    await waitForNoDriver();

    const r = spark(lake.root);
    expect([r.status, r.stderr.split('\n').filter((l) => l.startsWith('fitlake:'))]).toEqual([0, []]);
    expect(r.stdout).toMatch(/^pipeline run \d{8}T\d{6}Z: 11 table\(s\) built, 22 unchanged; quality (\d+)\/\1 passed/);
    const [ours, theirs] = [await lakeContents(lake.root), await lakeContents(duckdb)];
    expect(Object.keys(ours).length).toBe(33);
    expect(ours).toEqual(theirs);
    const gold = (root: string) => outcomes(root).filter((o) => o.startsWith('gold.'));
    expect(gold(lake.root)).toEqual(gold(duckdb));
  });

  it('runs the same models as a Spark job (the Databricks entry point), writing Delta tables equal to DuckDB\'s', async () => {
    const out = join(lake.root, '_job');
    const job = (...args: string[]) => spawnSync(join(REPO, '.venv', 'bin', 'python'), [join(REPO, 'pipelines', 'engine', 'spark', 'databricks_job.py'), ...args], { encoding: 'utf8', timeout: 480_000 });
    const r = job('--lakehouse', lake.root, '--output', out, '--master', 'local[2]', '--timezone', TZ);
    expect([r.status, r.stdout.trim().split('\n').length]).toEqual([0, 33]);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ model: 'weekly_active_members', table: join(out, 'gold', 'weekly_active_members'), done: 33, total: 33 });
    const contents: Record<string, string> = {};
    for (const layer of ['silver', 'gold']) {
      for (const t of readdirSync(join(out, layer))) {
        const snap = await readDeltaSnapshot(join(out, layer, t));
        contents[t] = await parquetContents(snap.files.map((f) => join(out, layer, t, f.path)));
      }
    }
    expect(contents).toEqual(await lakeContents(duckdb));
    const usage = job('--lakehouse', lake.root);
    expect([usage.status, usage.stderr.trim().split('\n').at(-1)]).toEqual([2, 'databricks_job.py: error: give either --output PATH or both --catalog and --schema']);
    rmSync(out, { recursive: true, force: true });
  });

  it('commits an incremental day as Delta versions (replaceWhere on the rebuilt partitions); killed before the gold commit, every gold table stays at its version; history and time travel read the log', async () => {
    const src = join(lake.root, 'landing', 'facility_usage', 'facility_usage_2025-03-02.jsonl');
    const added = readFileSync(src, 'utf8').replaceAll('"usage_id":"F', '"usage_id":"G');
    writeFileSync(join(lake.root, 'landing', 'facility_usage', 'facility_usage_2025-03-03.jsonl'), added);
    const dates = [...new Set(added.match(/"started_at":"\d{4}-\d{2}-\d{2}/g)!.map((m) => m.slice(-10)))].sort();
    expect(runCli(['ingest', '--lakehouse', lake.root]).status).toBe(0);
    const twin = fixtureCopy('tiny', { without: ['silver', 'gold', 'quality', 'bronze', 'landing'] });
    try {
      cpSync(join(lake.root, 'bronze'), join(twin.root, 'bronze'), { recursive: true });
      expect(runCli(['pipeline', 'run', '--lakehouse', twin.root]).status).toBe(0);
      const gold = deltaVersions(lake.root, 'gold');
      const killed = runCli(['pipeline', 'run', '--engine', 'spark', '--lakehouse', lake.root], { FITLAKE_FAULT: 'pipeline.before_gold_swap' }, { timeoutMs: 480_000 });
      expect(killed.signal).toBe('SIGKILL');
      expect(deltaVersions(lake.root, 'gold')).toEqual(gold);
      expect(deltaVersions(lake.root, 'silver').facility_usage).toBe(1);
      await waitForNoDriver();

      const r = spark(lake.root);
      expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/: \d+ table\(s\) built, \d+ unchanged; quality (\d+)\/\1 passed/)]);
      expect(await lakeContents(lake.root)).toEqual(await lakeContents(twin.root));
      expect(deltaVersions(lake.root, 'gold').facility_utilisation_hourly).toBe(1);
    } finally {
      twin.cleanup();
    }
    const h = runCli(['pipeline', 'history', 'facility_usage', '--lakehouse', lake.root]);
    expect(h.stdout.split('\n').slice(0, 3)).toEqual([
      'silver.facility_usage (Delta table); * = current',
      expect.stringMatching(/^ {2}v0 {2}\S+Z {2}WRITE \(Overwrite\) {2}\d+ rows {2}run \d{8}T\d{6}Z$/),
      expect.stringMatching(new RegExp(`^\\* v1 {2}\\S+Z {2}WRITE \\(Overwrite where \`usage_date\` IN \\(${dates.map((d) => `'${d}'`).join(', ')}\\)\\) {2}\\d+ rows {2}run \\d{8}T\\d{6}Z$`)),
    ]);
    const rows = (v: string) => runCli(['pipeline', 'show', 'facility_usage', '--version', v, '--limit', '0', '--where', "usage_date = '2025-03-02'", '--lakehouse', lake.root]).stdout.trim();
    const count = (line: string) => Number(/: (\d+) rows/.exec(line)![1]);
    const [v0, v1] = [rows('0'), rows('1')];
    expect([v0, v1]).toEqual([expect.stringMatching(/^facility_usage v0: \d+ rows WHERE usage_date = '2025-03-02'$/), expect.stringMatching(/^facility_usage v1: \d+ rows/)]);
    expect(count(v1) - count(v0)).toBeGreaterThan(0);
    expect(count(v1) - count(v0)).toBeLessThanOrEqual(added.trim().split('\n').length);
    const none = runCli(['pipeline', 'show', 'facility_usage', '--version', '7', '--lakehouse', lake.root]);
    expect([none.status, none.stderr.trim()]).toEqual([2, expect.stringMatching(/^fitlake: version 7: the Delta table \S+facility_usage has versions up to 1$/)]);
  });

  it('builds the feature tables and the churn training set on Spark, identical to DuckDB; the Node side materializes, checks skew and trains on them', async () => {
    const twin = fixtureCopy('tiny', { without: ['silver', 'gold', 'quality', 'bronze', 'landing', 'features'] });
    const set = (root: string, ...engine: string[]) => {
      const r = runCli(['features', 'training-set', 'churn', ...engine, '--horizon-days', '7', '--min-history-days', '30', '--out', join(root, 'churn.parquet'), '--lakehouse', root], {}, { timeoutMs: 480_000 });
      expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/^\d+ rows × 49 columns → /)]);
      return join(root, 'churn.parquet');
    };
    try {
      cpSync(join(lake.root, 'bronze'), join(twin.root, 'bronze'), { recursive: true });
      for (const args of [['pipeline', 'run'], ['features', 'apply'], ['features', 'build']]) expect(runCli([...args, '--lakehouse', twin.root]).status).toBe(0);
      expect(runCli(['features', 'apply', '--lakehouse', lake.root]).status).toBe(0);
      const built = runCli(['features', 'build', '--engine', 'spark', '--lakehouse', lake.root], {}, { timeoutMs: 480_000 });
      expect([built.status, built.stdout.split('\n').filter((l) => l.startsWith('built ')).length]).toEqual([0, 7]);
      expect(await offlineContents(lake.root)).toEqual(await offlineContents(twin.root));
      const [spark, duck] = [set(lake.root, '--engine', 'spark'), set(twin.root)];
      const [a, b] = [await parquetContents(spark), await parquetContents(duck)];
      expect(a).toMatch(/^[1-9]\d*:/);
      expect(a).toBe(b);
    } finally {
      twin.cleanup();
    }
    for (const args of [['features', 'materialize'], ['features', 'check-skew']]) {
      const r = runCli([...args, '--lakehouse', lake.root]);
      expect([args.join(' '), r.status]).toEqual([args.join(' '), 0]);
    }
    const t = runCli(['train', '--skip-prepare', '--models', 'activity-classifier', '--lakehouse', lake.root]);
    expect([t.status, t.stdout]).toEqual([0, expect.stringMatching(/^activity-classifier .* v1 → champion/m)]);
  });

  it('names the model file and the construct when a model does not run on Spark (exit 2), keeping the current tables', async () => {
    const bad = parseModel('-- model: bad_model\n-- layer: gold\n-- depends: dim_date\n-- description: a DuckDB-only list function.\nSELECT date, list_reverse([1, 2]) AS x FROM dim_date\n', 'gold/bad_model.sql');
    const before = new TableStore(join(lake.root, 'gold')).snapshot();
    const err = await runMedallion(lake.root, { timezone: TZ, fullRefresh: false, engine: { type: 'spark', master: 'local[2]' }, models: [...loadModels(), bad] }, { logger: silentLogger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).exitCode).toBe(2);
    expect((err as ValidationError).message).toMatch(/^model bad_model \(pipelines\/models\/gold\/bad_model\.sql\) does not run on spark: Spark: \[UNRESOLVED_ROUTINE\] Cannot resolve routine `LIST_REVERSE`/);
    expect(new TableStore(join(lake.root, 'gold')).snapshot()).toEqual(before);
    await waitForNoDriver();
  });

  it('refuses a Spark master it does not know, and names the flag', () => {
    const r = runCli(['pipeline', 'run', '--engine', 'spark', '--master', 'mesos://x', '--lakehouse', lake.root]);
    expect([r.status, r.stderr.trim()]).toEqual([2, 'fitlake: --master: master: local[N], spark://…, k8s://… or yarn']);
  });
});
