import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ValidationError } from '../../core/errors';
import { silentLogger } from '../../core/logger';
import { readQualityRun } from '../../pipelines/quality/report';
import { runMedallion } from '../../pipelines/runner/medallion';
import { loadModels, parseModel } from '../../pipelines/runner/models';
import { TableStore } from '../../pipelines/runner/table_store';
import { fixtureCopy, fixturePath } from '../fixtures/cache';
import { lakeContents, TZ } from '../helpers';
import { runCli } from './cli_runner';

jest.setTimeout(600_000);

const spark = (root: string, ...extra: string[]) => runCli(['pipeline', 'run', '--engine', 'spark', '--master', 'local[2]', '--lakehouse', root, ...extra], {}, { timeoutMs: 480_000 });
const drivers = () => Number(execFileSync('bash', ['-c', 'pgrep -fc "[e]ngine/spark/server.py" || true'], { encoding: 'utf8' }).trim());
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
    for (let i = 0; i < 60 && drivers() > 0; i++) await new Promise((ok) => setTimeout(ok, 500));
    expect(drivers()).toBe(0);

    const r = spark(lake.root);
    expect([r.status, r.stderr.split('\n').filter((l) => l.startsWith('fitlake:'))]).toEqual([0, []]);
    expect(r.stdout).toMatch(/^pipeline run \d{8}T\d{6}Z: 11 table\(s\) built, 22 unchanged; quality (\d+)\/\1 passed/);
    const [ours, theirs] = [await lakeContents(lake.root), await lakeContents(duckdb)];
    expect(Object.keys(ours).length).toBe(33);
    expect(ours).toEqual(theirs);
    const gold = (root: string) => outcomes(root).filter((o) => o.startsWith('gold.'));
    expect(gold(lake.root)).toEqual(gold(duckdb));
  });

  it('gives the Node side a lakehouse it reads as it reads one DuckDB built: features build, materialize and check out; a model trains', () => {
    for (const args of [['features', 'apply'], ['features', 'build'], ['features', 'materialize'], ['features', 'check-skew']]) {
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
  });

  it('refuses a Spark master it does not know, and names the flag', () => {
    const r = runCli(['pipeline', 'run', '--engine', 'spark', '--master', 'mesos://x', '--lakehouse', lake.root]);
    expect([r.status, r.stderr.trim()]).toEqual([2, 'fitlake: --master: master: local[N], spark://…, k8s://… or yarn']);
  });
});
