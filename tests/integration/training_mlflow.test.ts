import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegisteredModel } from '../../training/loaders';
import { MlflowRestTracker } from '../../training/tracking/mlflow_tracker';
import type { TrainReport } from '../../training/train';
import { fixtureCopy, whenBuilt } from '../fixtures/cache';
import { readMeta } from '../fixtures/meta';
import { runCli } from './cli_runner';
import { mlflowPython, startMlflow } from './mlflow_server';

jest.setTimeout(300_000);

/**
 * `fitlake train` against a real `mlflow server` (REST), on a copy of the small lakehouse (a suite of
 * its own, so it runs beside the main training suite).
 */
describe('training against a real MLflow tracking server (REST)', () => {
  let lake: { root: string; cleanup: () => void };
  let first: TrainReport['outcomes'];
  const by = (name: string) => first.find((o) => o.name === name)!;
  const serverDir = mkdtempSync(join(tmpdir(), 'fitlake-mlflow-'));
  let started: ReturnType<typeof startMlflow>;
  let server: Awaited<ReturnType<typeof startMlflow>>;
  beforeAll(async () => {
    started = startMlflow(serverDir); // starts while the small lakehouse may still be building
    await whenBuilt('small');
    // training reads silver, gold and the feature store only
    lake = fixtureCopy('small', { without: ['landing', 'bronze', 'mlruns', 'models', 'quality'] });
    first = readMeta<TrainReport>(lake.root).outcomes;
    server = await started;
  });
  afterAll(async () => {
    await (await started.catch(() => null))?.stop();
    lake?.cleanup();
    rmSync(serverDir, { recursive: true, force: true });
  });

  it('logs runs, registers models and sets aliases that MLflow’s client reads back', async () => {
    const rest = new MlflowRestTracker(server.url);
    const r = runCli(['train', '--skip-prepare', '--models', 'churn,supplement-forecast', '--json'], { FITLAKE_LAKEHOUSE: lake.root, MLFLOW_TRACKING_URI: server.url });
    expect([r.status, r.stderr]).toEqual([0, '']);
    const outcomes = JSON.parse(r.stdout) as { name: string; metrics: Record<string, number>; version: string; decision: object }[];
    for (const o of outcomes) expect(o).toMatchObject({ version: '1', decision: { promote: true } });
    const loaded = await loadRegisteredModel(rest, 'churn', 'churn');
    expect(loaded.artifact.coef).toEqual(by('churn').trained.artifact.coef);
    const out = mlflowPython(`
import json
from mlflow import MlflowClient
c = MlflowClient("${server.url}")
v = c.get_model_version_by_alias("supplement-forecast", "champion")
run = c.get_run(v.run_id)
path = c.download_artifacts(v.run_id, "model/model.json")
print(json.dumps({"version": v.version, "mase": run.data.metrics["mase"], "status": run.info.status, "tags": v.tags, "kind": json.load(open(path))["kind"],
"curve": len(c.get_metric_history(v.run_id, "backtest_mase_by_origin"))}))`) as Record<string, unknown>;
    expect(out).toMatchObject({ version: '1', mase: outcomes[1].metrics.mase, status: 'FINISHED', kind: 'forecast', curve: by('supplement-forecast').trained.curves.backtest_mase_by_origin.length });
    expect((out.tags as Record<string, string>)['fitlake.primary_metric']).toBe('mase');
    // the registry as the dashboard reads it: models, versions with aliases, runs, plots
    expect(await rest.listModels()).toEqual(['churn', 'supplement-forecast']);
    const [v] = await rest.listVersions('churn');
    expect(v).toMatchObject({ name: 'churn', version: '1', aliases: expect.arrayContaining(['champion', 'challenger']), tags: { 'fitlake.primary_metric': 'roc_auc' } });
    expect(v.createdAt).toBeGreaterThan(0);
    const run = await rest.getRun(v.runId);
    expect(run).toMatchObject({ runId: v.runId, status: 'FINISHED', metrics: { roc_auc: outcomes[0].metrics.roc_auc }, tags: { 'mlflow.runName': expect.stringMatching(/^churn-/) } });
    expect((await rest.readArtifact(run, 'plots/roc.svg')).toString()).toMatch(/^<svg/);
    await expect(rest.readArtifact(run, 'plots/none.svg')).rejects.toThrow('the run has no artifact plots/none.svg');
    await expect(rest.getRun('0'.repeat(32))).rejects.toThrow(/run 0{32} not found/);
    expect(await rest.listVersions('no-such-model')).toEqual([]);
  });

  it('splits big batches within MLflow limits and maps MLflow errors', async () => {
    const rest = new MlflowRestTracker(server.url);
    const exp = await rest.experiment('fitlake/limits');
    expect(await rest.experiment('fitlake/limits')).toBe(exp);
    const run = await rest.startRun(exp, 'limits', []);
    await rest.logBatch(run.runId, {
      metrics: Array.from({ length: 2500 }, (_, step) => ({ key: 'curve', value: step === 7 ? NaN : step / 10, timestamp: 1, step })),
      params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
      tags: Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: 'x' })),
    });
    await expect(rest.logBatch(run.runId, { params: [{ key: 'p1', value: 'changed' }] })).rejects.toMatchObject({ mlflowCode: 'INVALID_PARAMETER_VALUE' });
    const out = mlflowPython(`
import json, math
from mlflow import MlflowClient
c = MlflowClient("${server.url}")
r = c.get_run("${run.runId}")
h = c.get_metric_history("${run.runId}", "curve")
print(json.dumps({"params": len(r.data.params), "tags": len([k for k in r.data.tags if k.startswith("t")]), "points": len(h), "nan": sum(1 for m in h if math.isnan(m.value))}))`);
    expect(out).toEqual({ params: 150, tags: 120, points: 2500, nan: 1 });
    expect((await rest.runningRuns(exp)).map((r) => [r.runId, r.tags.t3])).toEqual([[run.runId, 'x']]);
    await rest.endRun(run.runId, 'KILLED');
    expect(await rest.runningRuns(exp)).toEqual([]);
  });
});
