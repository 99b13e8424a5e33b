import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileRunTracker } from '../../../../training/tracking/file_tracker';
import { parseYaml } from '../../../../training/tracking/yaml';
import { tmpLake } from '../../../helpers';

describe('FileRunTracker (MLflow file-store layout)', () => {
  const dir = tmpLake();
  afterAll(() => dir.cleanup());
  let t = 1_700_000_000_000;
  const tracker = new FileRunTracker(join(dir.root, 'mlruns'), () => t++, 'tester');

  it('creates the Default experiment and finds experiments by name without duplicating them', async () => {
    const id = await tracker.experiment('fitlake/churn');
    expect(id).toMatch(/^[1-9]\d{17}$/);
    expect(await tracker.experiment('fitlake/churn')).toBe(id);
    expect(parseYaml(readFileSync(join(dir.root, 'mlruns', '0', 'meta.yaml'), 'utf8')).name).toBe('Default');
    const meta = parseYaml(readFileSync(join(dir.root, 'mlruns', id, 'meta.yaml'), 'utf8'));
    expect(meta).toMatchObject({ experiment_id: id, name: 'fitlake/churn', lifecycle_stage: 'active' });
  });

  it('writes runs, metrics with steps, params, tags and artifacts where MLflow reads them', async () => {
    const exp = await tracker.experiment('fitlake/churn');
    const run = await tracker.startRun(exp, 'r1', [{ key: 'fitlake.seed', value: '42' }]);
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
    await tracker.logBatch(run.runId, { metrics: [0.5, 0.4, NaN].map((v, step) => ({ key: 'loss', value: v, timestamp: 5, step })), params: [{ key: 'l2', value: '0.001' }] });
    await tracker.logArtifact(run, 'model/model.json', '{"a":1}');
    await tracker.endRun(run.runId, 'FINISHED');
    const runDir = join(dir.root, 'mlruns', exp, run.runId);
    expect(readFileSync(join(runDir, 'metrics', 'loss'), 'utf8')).toBe('5 0.5 0\n5 0.4 1\n5 nan 2\n');
    expect(readFileSync(join(runDir, 'params', 'l2'), 'utf8')).toBe('0.001');
    expect(readFileSync(join(runDir, 'tags', 'fitlake.seed'), 'utf8')).toBe('42');
    expect(readFileSync(join(runDir, 'tags', 'mlflow.runName'), 'utf8')).toBe('r1');
    expect(run.artifactUri).toBe(`mlruns/${exp}/${run.runId}/artifacts`);
    expect(readFileSync(join(dir.root, run.artifactUri, 'model', 'model.json'), 'utf8')).toBe('{"a":1}');
    expect(parseYaml(readFileSync(join(runDir, 'meta.yaml'), 'utf8'))).toMatchObject({ status: 3, run_id: run.runId, experiment_id: exp, user_id: 'tester' });
    await expect(tracker.logBatch(run.runId, { params: [{ key: 'l2', value: '0.1' }] })).rejects.toThrow(/already logged with a different value/);
    await expect(tracker.logArtifact(run, '../../escape.txt', 'x')).rejects.toThrow(/leaves the run's artifact folder/);
  });

  it('registers versions 1, 2… and moves aliases; readModelFile reads the version source', async () => {
    const exp = await tracker.experiment('fitlake/churn');
    const runs = [await tracker.startRun(exp, 'a', []), await tracker.startRun(exp, 'b', [])];
    for (const [i, r] of runs.entries()) await tracker.logArtifact(r, 'model/model.json', JSON.stringify({ i }));
    const v1 = await tracker.createModelVersion('churn', runs[0], 'model', [{ key: 'fitlake.primary_value', value: '0.8' }]);
    const v2 = await tracker.createModelVersion('churn', runs[1], 'model', []);
    expect([v1.version, v2.version]).toEqual(['1', '2']);
    expect(await tracker.getVersionByAlias('churn', 'champion')).toBeNull();
    await tracker.setAlias('churn', 'champion', '1');
    await tracker.setAlias('churn', 'challenger', '2');
    const champ = await tracker.getVersionByAlias('churn', 'champion');
    expect(champ).toMatchObject({ version: '1', runId: runs[0].runId, tags: { 'fitlake.primary_value': '0.8' } });
    expect(JSON.parse((await tracker.readModelFile(champ!, 'model.json')).toString())).toEqual({ i: 0 });
    await tracker.setAlias('churn', 'champion', '2');
    expect((await tracker.getVersionByAlias('churn', 'champion'))!.version).toBe('2');
    const meta = parseYaml(readFileSync(join(dir.root, 'mlruns', 'models', 'churn', 'meta.yaml'), 'utf8'));
    expect(meta.aliases).toEqual({ champion: '2', challenger: '2' });
    await expect(tracker.setAlias('churn', 'latest', '1')).rejects.toThrow(/invalid alias/);
    await expect(tracker.setAlias('churn', 'champion', '9')).rejects.toThrow(/no version 9/);
    await expect(tracker.readModelFile(champ!, '../../x')).rejects.toThrow(/leaves the model folder/);
    expect(existsSync(join(dir.root, 'mlruns', 'models', 'churn', 'version-2', 'meta.yaml'))).toBe(true);
    await expect(tracker.readModelFile(champ!, 'weights.bin')).rejects.toThrow(/model churn v1 has no file weights.bin/);
    await expect(tracker.logBatch('not-a-run', {})).rejects.toThrow('invalid run id "not-a-run"');
    await expect(tracker.logBatch('0'.repeat(32), {})).rejects.toThrow(/run 0{32} not found/);
    await expect(tracker.startRun('123', 'x', [])).rejects.toThrow('experiment 123 not found');
  });

  it('reads the registry back: models, versions newest first with their aliases, runs with their latest metrics, artifacts', async () => {
    const exp = await tracker.experiment('fitlake/forecast');
    const run = await tracker.startRun(exp, 'f1', [{ key: 'fitlake.seed', value: '7' }]);
    await tracker.logBatch(run.runId, { metrics: [3, 2, 1].map((v, step) => ({ key: 'mase', value: v, timestamp: 9, step })).concat([{ key: 'nested/score', value: NaN, timestamp: 9, step: 0 }]), params: [{ key: 'alpha', value: '0.3' }] });
    await tracker.logArtifact(run, 'plots/roc.svg', '<svg/>');
    await tracker.endRun(run.runId, 'FINISHED');
    await tracker.createModelVersion('forecast', run, 'model', [{ key: 'fitlake.primary_metric', value: 'mase' }]);
    await tracker.setAlias('forecast', 'champion', '1');
    expect(await tracker.listModels()).toEqual(['churn', 'forecast']);
    const versions = await tracker.listVersions('churn');
    expect(versions.map((v) => [v.version, v.aliases.sort()])).toEqual([['2', ['challenger', 'champion']], ['1', []]]);
    const [f] = await tracker.listVersions('forecast');
    expect(f).toMatchObject({ version: '1', runId: run.runId, aliases: ['champion'], tags: { 'fitlake.primary_metric': 'mase' } });
    expect(f.createdAt).toBeGreaterThan(1_700_000_000_000);
    const detail = await tracker.getRun(run.runId);
    expect(detail).toMatchObject({ runId: run.runId, experimentId: exp, runName: 'f1', status: 'FINISHED', params: { alpha: '0.3' }, tags: { 'fitlake.seed': '7', 'mlflow.runName': 'f1' } });
    expect(detail.metrics.mase).toBe(1);
    expect(detail.metrics['nested/score']).toBeNaN();
    expect(detail.endTime).toBeGreaterThan(detail.startTime);
    expect((await tracker.readArtifact(detail, 'plots/roc.svg')).toString()).toBe('<svg/>');
    await expect(tracker.readArtifact(detail, 'plots/pr.svg')).rejects.toThrow('the run has no artifact plots/pr.svg');
    await expect(tracker.readArtifact(detail, '../../meta.yaml')).rejects.toThrow(/leaves the run's artifact folder/);
    expect(await tracker.listVersions('nothing')).toEqual([]);
    expect(await new FileRunTracker(join(dir.root, 'empty')).listModels()).toEqual([]);
  });

  it('completes or removes what a crash left of a version folder: a version without meta.yaml is never left for MLflow', async () => {
    const exp = await tracker.experiment('fitlake/churn');
    const run = await tracker.startRun(exp, 'c', []);
    const models = join(dir.root, 'mlruns', 'models', 'churn');
    mkdirSync(join(models, 'version-3', 'tags'), { recursive: true });
    mkdirSync(join(models, '.version-4.999.tmp'), { recursive: true });
    const v = await tracker.createModelVersion('churn', run, 'model', [{ key: 'k', value: 'v' }]);
    expect(v.version).toBe('3');
    expect(readdirSync(models).sort()).toEqual(['aliases', 'meta.yaml', 'version-1', 'version-2', 'version-3']);
    expect(parseYaml(readFileSync(join(models, 'version-3', 'meta.yaml'), 'utf8'))).toMatchObject({ version: 3, run_id: run.runId });
    expect(readFileSync(join(models, 'version-3', 'tags', 'k'), 'utf8')).toBe('v');
  });

  it('lists the runs still RUNNING with their tags', async () => {
    const exp = await tracker.experiment('fitlake/running');
    const open = await tracker.startRun(exp, 'open', [{ key: 'fitlake.process', value: '{"pid":1}' }]);
    const done = await tracker.startRun(exp, 'done', []);
    await tracker.endRun(done.runId, 'FINISHED');
    const running = await tracker.runningRuns(exp);
    expect(running.map((r) => [r.runId, r.tags['fitlake.process'], r.tags['mlflow.runName']])).toEqual([[open.runId, '{"pid":1}', 'open']]);
    await tracker.endRun(open.runId, 'KILLED');
    expect(await tracker.runningRuns(exp)).toEqual([]);
  });

  it('keeps working when the folder holding it is copied elsewhere (relative artifact locations)', async () => {
    const copy = tmpLake();
    try {
      cpSync(join(dir.root, 'mlruns'), join(copy.root, 'mlruns'), { recursive: true });
      rmSync(join(dir.root, 'mlruns'), { recursive: true });
      const moved = new FileRunTracker(join(copy.root, 'mlruns'));
      const v = (await moved.getVersionByAlias('churn', 'champion'))!;
      expect(v.source).toMatch(/^mlruns\/\d+\/[0-9a-f]{32}\/artifacts\/model$/);
      expect(JSON.parse((await moved.readModelFile(v, 'model.json')).toString())).toEqual({ i: 1 });
    } finally {
      copy.cleanup();
    }
  });
});
