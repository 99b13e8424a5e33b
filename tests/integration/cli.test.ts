import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileRunTracker } from '../../training/tracking/file_tracker';
import { fixturePath } from '../fixtures/cache';
import { tmpLake } from '../helpers';
import { runCli } from './cli_runner';

describe('fitlake CLI', () => {
  it.each([[[]], [['generate']], [['ingest']], [['pipeline', 'run']], [['quality', 'report']], [['pipeline', 'history']], [['pipeline', 'show']], [['features', 'training-set']], [['train']], [['serve']], [['dashboard']], [['report', 'weekly']]])('prints --help for %p', (args) => {
    const r = runCli([...args, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: fitlake/);
    expect(r.stdout).toMatch(/--help/);
  });

  it('ends quietly when the reader of its output goes away (`fitlake … | head`)', () => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" bin/fitlake.js generate --help | true`], { encoding: 'utf8', cwd: join(__dirname, '..', '..') });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('generates and ingests end to end, printing what it did', () => {
    const lake = tmpLake();
    try {
      const g = runCli(['generate', '--scale', 'tiny', '--seed', '5', '--days', '10', '--lakehouse', lake.root]);
      expect(g.status).toBe(0);
      expect(g.stdout).toMatch(/^generated \d+ lines in \d+ files for \d+ members/);
      const i = runCli(['ingest'], { FITLAKE_LAKEHOUSE: lake.root });
      expect(i.status).toBe(0);
      expect(i.stdout).toMatch(/^ingested \d+ files in 1 batch\(es\): \d+ rows to bronze, \d+ quarantined/);
      expect(existsSync(join(lake.root, 'bronze', '_log', '000000000001.json'))).toBe(true);
    } finally {
      lake.cleanup();
    }
  });

  it.each([
    [['generate', '--seed', 'abc'], /--seed must be an integer/],
    [['generate', '--scale', 'huge'], /scale/],
    [['generate', '--members', '5'], /generator option members/],
    [['generate', '--start', '2025-02-30'], /generator option start: must be a YYYY-MM-DD date/],
    [['generate', '--timezone', 'Nowhere/City'], /timezone: not a known IANA time zone/],
    [['generate', '--workers', '0'], /--workers must be a positive integer, got 0/],
    [['generate', '--workers', 'two'], /--workers must be an integer/],
    [['ingest', '--max-files-per-batch', 'x'], /--max-files-per-batch must be an integer/],
    [['ingest', '--max-files-per-batch', '0'], /--max-files-per-batch must be a whole number ≥ 1/],
    [['pipeline', 'run'], /no bronze data under .*: run `fitlake ingest` first/],
    [['train', '--models', 'churn,bogus'], /--models: unknown model\(s\) bogus; choose from churn, recommender-classes/],
    [['serve', '--port', 'abc'], /--port must be an integer, got "abc"/],
    [['dashboard', '--port', 'abc'], /--port must be an integer, got "abc"/],
    [['train', '--skip-prepare'], /no feature registry under .*: run `npm run train` .* or `fitlake features apply` first/],
  ])('rejects bad input %p with a message and exit code 2', (args, message) => {
    const lake = tmpLake();
    try {
      const r = runCli([...args, '--lakehouse', lake.root]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(lake.root, 'landing'))).toBe(false);
    } finally {
      lake.cleanup();
    }
  });

  it('rejects a tracking URI it cannot talk to, naming the variable', () => {
    const lake = tmpLake();
    try {
      const r = runCli(['train', '--lakehouse', lake.root], { MLFLOW_TRACKING_URI: 'postgresql://db/mlflow' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/MLFLOW_TRACKING_URI must be http\(s\):\/\/, file: or a folder/);
      expect(existsSync(join(lake.root, 'landing'))).toBe(false);
    } finally {
      lake.cleanup();
    }
  });

  it('trains at --scale tiny: every model the data allows, the others skipped with the reason; a killed run is marked KILLED by the next', async () => {
    const lake = tmpLake();
    try {
      const killed = runCli(['train', '--scale', 'tiny', '--lakehouse', lake.root], { FITLAKE_FAULT: 'train.after_start_run' });
      expect(killed.signal).toBe('SIGKILL');
      const tracker = new FileRunTracker(join(lake.root, 'mlruns'));
      const experiments = readdirSync(join(lake.root, 'mlruns')).filter((n) => /^[1-9]\d+$/.test(n));
      const orphans = (await Promise.all(experiments.map((e) => tracker.runningRuns(e)))).flat();
      expect(orphans.length).toBe(1);
      const r = runCli(['train', '--scale', 'tiny', '--lakehouse', lake.root]);
      expect([r.status, r.stderr]).toEqual([0, expect.any(String)]);
      expect((await Promise.all(experiments.map((e) => tracker.runningRuns(e)))).flat()).toEqual([]);
      expect(r.stderr).toContain(`"run_id":"${orphans[0].runId}","msg":"run left RUNNING by a training process that is gone: marked KILLED"`);
      expect(r.stdout).toMatch(/^churn +— .* SKIPPED: churn needs at least 2 monthly snapshots with a full 30-day horizon; the data has 0 \(generate more days\)$/m);
      expect(r.stdout).toMatch(/^activity-classifier .* v1 → champion/m);
      expect(r.stdout).toMatch(/^supplement-forecast +— .* SKIPPED: supplement-forecast needs at least 12 weeks of supplement sales to backtest; the data has \d+ \(generate more days\)$/m);
      expect(r.stdout).toContain(`runs: ${join(lake.root, 'mlruns')}`);
      expect(r.stderr).toMatch(/"model":"churn".*"msg":"not enough data: model skipped, the others still train"/);
      const none = runCli(['train', '--skip-prepare', '--models', 'churn', '--lakehouse', lake.root]);
      expect(none.status).toBe(5);
      expect(none.stderr).toMatch(/no model could be trained on this lakehouse: churn needs at least 2 monthly snapshots/);
    } finally {
      lake.cleanup();
    }
  });

  it('says a read-only lakehouse is read-only (exit 12, no stack trace) and that a layer without its manifest needs the pipeline', () => {
    const lake = tmpLake();
    try {
      expect(runCli(['generate', '--scale', 'tiny', '--days', '3', '--lakehouse', lake.root]).status).toBe(0);
      execFileSync('chmod', ['-R', 'a+rX,a-w', lake.root]);
      const ro = runCli(['ingest', '--lakehouse', lake.root], {}, { unprivileged: true });
      expect([ro.status, ro.stderr.trim()]).toEqual([
        12,
        `fitlake: cannot create ${join(lake.root, 'bronze')}: permission denied (the lakehouse must be writable by this user: fix its owner or permissions, or point --lakehouse (FITLAKE_LAKEHOUSE) at a writable copy)`,
      ]);
      execFileSync('chmod', ['-R', 'u+w', lake.root]);
      expect(runCli(['ingest', '--lakehouse', lake.root]).status).toBe(0);
      expect(runCli(['pipeline', 'run', '--lakehouse', lake.root]).status).toBe(0);
      expect(runCli(['features', 'apply', '--lakehouse', lake.root]).status).toBe(0);
      rmSync(join(lake.root, 'silver', '_layer.json'));
      const noSilver = runCli(['features', 'build', '--lakehouse', lake.root]);
      expect([noSilver.status, noSilver.stderr.trim()]).toEqual([2, `fitlake: no silver tables under ${lake.root} (no silver/_layer.json): run \`fitlake pipeline run\` first`]);
    } finally {
      execFileSync('chmod', ['-R', 'u+w', lake.root]);
      lake.cleanup();
    }
  });

  it("shows a DuckDB-built table's version and rows, and refuses what it cannot do, naming the flag", () => {
    const root = fixturePath('tiny');
    const h = runCli(['pipeline', 'history', 'daily_active_members', '--lakehouse', root]);
    const lines = h.stdout.trim().split('\n');
    expect([h.status, lines[0], lines.length]).toEqual([0, 'gold.daily_active_members (files, DuckDB engine: no history kept); * = current', 2]);
    expect(lines[1]).toMatch(/^\* v(\d+) {2}\S+Z {2}BUILD {2}61 rows$/);
    const version = /v(\d+)/.exec(lines[1])![1];
    const s = runCli(['pipeline', 'show', 'daily_active_members', '--limit', '1', '--where', "date = '2025-01-02'", '--lakehouse', root]);
    expect([s.status, s.stdout.trim().split('\n')[0]]).toEqual([0, `daily_active_members v${version}: 1 rows WHERE date = '2025-01-02'`]);
    expect(JSON.parse(s.stdout.trim().split('\n')[1])).toEqual(expect.objectContaining({ active_members: expect.any(Number), date: '2025-01-02T00:00:00.000Z' }));
    const refused = (args: string[]) => {
      const r = runCli([...args, '--lakehouse', root]);
      return [r.status, r.stderr.trim()];
    };
    expect(refused(['pipeline', 'show', 'daily_active_members', '--version', '999'])).toEqual([
      2,
      `fitlake: --version 999: daily_active_members was built by the DuckDB engine, which keeps no history; its version is ${version} (Delta tables, built with --engine spark, keep every version)`,
    ]);
    expect(refused(['pipeline', 'show', 'daily_active_members', '--where', 'nope = 1'])).toEqual([2, expect.stringMatching(/^fitlake: --where: .*nope/)]);
    expect(refused(['pipeline', 'show', 'daily_active_members', '--limit', '-1'])).toEqual([2, 'fitlake: --limit: must be 0 or more']);
    expect(refused(['pipeline', 'history', 'nope'])).toEqual([3, expect.stringMatching(/^fitlake: no silver or gold table nope; tables: app_events, .*, weekly_active_members$/)]);
  });

  it('fails on an unknown command', () => {
    const r = runCli(['frobnicate']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command/);
  });
});
