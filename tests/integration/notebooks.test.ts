// The notebooks, executed headless (nbclient with the tslab kernel, as `npm run notebooks:check` runs
// them) on the small gym `npm run train` builds: no cell fails, the outputs match the committed ones,
// and the key numbers they print equal the project's own results (tracked runs, gold tables).
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readQualityRun } from '../../pipelines/quality/report';
import { FileRunTracker } from '../../training/tracking/file_tracker';
import { fixtureCopy, REPO, whenBuilt } from '../fixtures/cache';
import { queryLake } from '../helpers';

jest.setTimeout(600_000);

const NOTEBOOKS = ['01_data_tour', '02_gym_eda', '03_churn', '04_recommenders', '05_forecast', '06_wearables'];

interface Run {
  code: number;
  stderr: string;
}

function runNotebooks(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(join(REPO, '.venv', 'bin', 'python'), [join(REPO, 'scripts', 'run_notebooks.py'), ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, _stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

interface Cell {
  cell_type: string;
  outputs?: { output_type: string; name?: string; text?: string | string[] }[];
}

/** The `name  value` lines a notebook printed with `nb.figures`, by name. */
function figures(path: string): Record<string, string> {
  const cells = (JSON.parse(readFileSync(path, 'utf8')) as { cells: Cell[] }).cells;
  const out: Record<string, string> = {};
  for (const o of cells.flatMap((c) => c.outputs ?? [])) {
    if (o.output_type !== 'stream' || o.name !== 'stdout') continue;
    for (const line of ([] as string[]).concat(o.text ?? []).join('').split('\n')) {
      const m = /^([a-z][a-z0-9_]*)\s{2,}(\S.*)$/.exec(line);
      if (m) out[m[1]] = m[2].trim();
    }
  }
  return out;
}

describe('notebooks executed headless on the small gym', () => {
  let lake: { root: string; cleanup: () => void };
  let out: string;
  let run: Run;
  let figs: Record<string, Record<string, string>>;
  let tracker: FileRunTracker;

  beforeAll(async () => {
    await whenBuilt('small');
    lake = fixtureCopy('small', { shared: ['landing'] });
    out = mkdtempSync(join(tmpdir(), 'fitlake-notebooks-'));
    run = await runNotebooks(['--check', '--out', out], { FITLAKE_LAKEHOUSE: lake.root });
    figs = Object.fromEntries(NOTEBOOKS.map((n) => [n, run.code === 0 ? figures(join(out, `${n}.ipynb`)) : {}]));
    tracker = new FileRunTracker(join(lake.root, 'mlruns'));
  });
  afterAll(() => {
    lake?.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  /** The champion run's latest value of `metric` for registered model `name`. */
  async function tracked(name: string, metric: string): Promise<number> {
    const version = await tracker.getVersionByAlias(name, 'champion');
    return (await tracker.getRun(version!.runId)).metrics[metric];
  }
  const fig = (notebook: string, name: string) => Number(figs[notebook][name]);

  it('runs every notebook top to bottom with no error, and the outputs match the committed ones', () => {
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    for (const n of NOTEBOOKS) expect(run.stderr).toMatch(new RegExp(`${n}: \\d+ code cells in [\\d.]+ s`));
  });

  it('the data tour balances every feed and reports the last quality run', () => {
    const quality = readQualityRun(lake.root);
    expect(figs['01_data_tour']).toMatchObject({ feeds_balanced: '10 of 10', silver_tables_reconciled: '7 of 7', quality_outcome: quality.outcome });
    expect(fig('01_data_tour', 'quality_checks')).toBe(quality.results.length);
    expect(fig('01_data_tour', 'quality_checks_passed')).toBe(quality.results.filter((r) => r.passed).length);
  });

  it("the EDA's figures equal the gold tables'", async () => {
    const [g] = await queryLake<{ dau: number; revenue: number }>(lake.root, `SELECT (SELECT avg(active_members) FROM daily_active_members) AS dau, (SELECT CAST(sum(revenue) AS DOUBLE) FROM revenue_by_product_daily) AS revenue`);
    expect(fig('02_gym_eda', 'dau_mean')).toBeCloseTo(g.dau, 2);
    expect(fig('02_gym_eda', 'retail_revenue_year')).toBeCloseTo(g.revenue, 0);
  });

  it("each model's numbers equal its tracked champion run's", async () => {
    const pairs: [string, string, string, string][] = [
      ['03_churn', 'churn_roc_auc', 'churn', 'roc_auc'],
      ['03_churn', 'churn_oracle_roc_auc', 'churn', 'oracle_roc_auc'],
      ['04_recommenders', 'classes_ndcg_at_10', 'recommender-classes', 'ndcg_at_10'],
      ['04_recommenders', 'products_ndcg_at_10', 'recommender-products', 'ndcg_at_10'],
      ['05_forecast', 'forecast_backtest_mase', 'supplement-forecast', 'mase'],
      ['05_forecast', 'forecast_ahead_mase', 'supplement-forecast', 'ahead_mase'],
      ['06_wearables', 'segmentation_silhouette', 'segmentation', 'silhouette'],
      ['06_wearables', 'activity_macro_f1', 'activity-classifier', 'macro_f1'],
      ['06_wearables', 'calories_mae', 'calorie-regressor', 'mae'],
    ];
    for (const [notebook, name, model, metric] of pairs) {
      const expected = await tracked(model, metric);
      expect({ name, relativeError: Math.abs(fig(notebook, name) - expected) / Math.abs(expected) < 1e-5 }).toEqual({ name, relativeError: true });
    }
    expect(figs['03_churn'].champion_version).toBe('1');
    expect(figs['06_wearables'].equals_tracked_run).toBe('true');
  });

  it('--check fails on a drifted output, naming the notebook, the cell and both values', async () => {
    const committed = mkdtempSync(join(tmpdir(), 'fitlake-notebooks-drift-'));
    try {
      const nb = readFileSync(join(REPO, 'notebooks', '02_gym_eda.ipynb'), 'utf8');
      expect(nb).toMatch(/dau_mean {2,}\d/);
      writeFileSync(join(committed, '02_gym_eda.ipynb'), nb.replace(/dau_mean( {2,})[\d.]+/, 'dau_mean$1999.5'));
      const drifted = await runNotebooks(['--check', '--against', committed, '02_gym_eda'], { FITLAKE_LAKEHOUSE: lake.root });
      expect(drifted.code).toBe(1);
      expect(drifted.stderr).toMatch(/02_gym_eda\.ipynb, code cell 2:\n {2}committed: .*dau_mean 999\.5.*\n {2}now: {7}.*dau_mean \d/);
      expect(drifted.stderr).toContain('regenerate them: npm run notebooks:execute');

      copyFileSync(join(REPO, 'notebooks', '02_gym_eda.ipynb'), join(committed, '02_gym_eda.ipynb'));
      expect((await runNotebooks(['--check', '--against', committed, '02_gym_eda'], { FITLAKE_LAKEHOUSE: lake.root })).code).toBe(0);
    } finally {
      rmSync(committed, { recursive: true, force: true });
    }
  });

  it('refuses a lakehouse that does not exist, and an unknown notebook, saying what to do', async () => {
    const missing = join(tmpdir(), 'fitlake-no-such-lakehouse');
    const none = await runNotebooks(['--out', join(out, 'missing'), '01_data_tour'], { FITLAKE_LAKEHOUSE: missing });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('01_data_tour.ipynb failed in code cell 1');
    expect(none.stderr).toContain(`no lakehouse at ${missing}: run \`npm run train\` first (or set FITLAKE_LAKEHOUSE)`);

    const unknown = await runNotebooks(['07_nope'], {});
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no notebook named '07_nope' (have: 01_data_tour, 02_gym_eda");
  });
});
