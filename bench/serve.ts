// `npm run bench:serve`: load against the API (Express), the same lookup + score on bare node:http
// (the ceiling) and MLflow's scoring server with the equivalent scikit-learn model, on loopback.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../core/config';
import { silentLogger } from '../core/logger';
import { FeatureStore } from '../features/store';
import { designColumns, designMatrix } from '../training/churn/design';
import { withDerived } from '../training/churn/model';
import { loadRegisteredModel } from '../training/loaders';
import { createRunTracker } from '../training/tracking/create';
import { peerPython } from './peers/python_env';

const ROOT = join(__dirname, '..');
const DURATION = Number(process.env.BENCH_SERVE_SECONDS ?? 8);

async function waitFor(url: string, proc: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up at ${url}`);
}

/** With ≥ 2 cores and taskset, servers run on core 0 and the load generator (this process) on core 1, so one does not queue behind the other. */
const PIN = cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;

function start(cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const [c, a] = PIN ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args];
  return spawn(c, a, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, FITLAKE_LOG_LEVEL: 'warn', ...env } });
}

interface Load {
  url: string;
  method: 'GET' | 'POST';
  bodies?: string[];
  paths?: string[];
}

async function cannon(load: Load, rate?: number) {
  let i = 0;
  const r = await autocannon({
    url: load.url, connections: 16, duration: DURATION, ...(rate ? { overallRate: rate } : {}),
    requests: [{ method: load.method, headers: { 'content-type': 'application/json' }, setupRequest: (req) => {
      i++;
      return { ...req, ...(load.bodies ? { body: load.bodies[i % load.bodies.length] } : {}), ...(load.paths ? { path: load.paths[i % load.paths.length] } : {}) };
    } }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

async function main(): Promise<void> {
  if (PIN) execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const config = loadConfig({ logLevel: 'warn' });
  const tracker = createRunTracker(config);
  const churn = await loadRegisteredModel(tracker, 'churn', 'churn').catch((e) => {
    throw new Error(`${(e as Error).message} — bench:serve needs trained models: run npm run train`);
  });
  const classes = await loadRegisteredModel(tracker, 'recommender-classes', 'recommender');
  const store = FeatureStore.open(config, { logger: silentLogger });
  const reader = store.entityReader({ features: churn.artifact.features });
  const now = store.lastMaterializedEnd() ?? new Date();
  const members = classes.artifact.members.slice(0, 2000);
  const rows = (await reader.read(members, now)).filter((f) => f.freshness !== 'missing');
  await store.close();
  const design = designMatrix(churn.artifact.design, rows.map((f) => withDerived(f.values, churn.artifact.derived)));
  const columns = designColumns(churn.artifact.design);
  const ids = rows.map((f) => f.key);
  const bodies = ids.map((id) => JSON.stringify({ member_id: id }));
  const mlflowBodies = ids.map((_, i) => JSON.stringify({ dataframe_split: { columns, data: [Array.from(design.X.subarray(i * design.d, (i + 1) * design.d))] } }));
  const paths = ids.map((id) => `/recommend/${id}?kind=classes&k=10`);

  const python = peerPython(['scikit-learn==1.9.1', 'mlflow==3.17.2'], 'sklearn, mlflow');
  const dir = mkdtempSync(join(tmpdir(), 'fitlake-serve-bench-'));
  writeFileSync(join(dir, 'churn.json'), JSON.stringify({ coef: churn.artifact.coef, intercept: churn.artifact.intercept }));
  execFileSync(python, [join(__dirname, 'peers', 'mlflow_churn_model.py'), join(dir, 'churn.json'), join(dir, 'model')], { stdio: ['ignore', 'ignore', 'inherit'] });

  const procs: ChildProcess[] = [];
  try {
    procs.push(start(process.execPath, ['bin/fitlake.js', 'serve', '--port', '3301']));
    procs.push(start(process.execPath, ['-r', 'tsx/cjs', 'bench/raw_server.ts', '3302']));
    procs.push(start(join(ROOT, '.venv', 'bin', 'mlflow'), ['models', 'serve', '-m', join(dir, 'model'), '-p', '3303', '--host', '127.0.0.1', '--env-manager', 'local'], { PYTHONWARNINGS: 'ignore', PATH: `${join(ROOT, '.venv', 'bin')}:${process.env.PATH ?? ''}` }));
    await waitFor('http://127.0.0.1:3301/readyz', procs[0], 'fitlake serve');
    await waitFor('http://127.0.0.1:3302/recommend/x', procs[1], 'raw server').catch(() => undefined);
    await waitFor('http://127.0.0.1:3303/ping', procs[2], 'mlflow models serve');
    const loads: [string, string, Load][] = [
      ['fitlake (Express)', 'POST /predict/churn', { url: 'http://127.0.0.1:3301/predict/churn', method: 'POST', bodies }],
      ['raw node:http', 'POST /predict/churn', { url: 'http://127.0.0.1:3302/predict/churn', method: 'POST', bodies }],
      ['MLflow scoring server', 'POST /invocations', { url: 'http://127.0.0.1:3303/invocations', method: 'POST', bodies: mlflowBodies }],
      ['fitlake (Express)', 'GET /recommend/:member', { url: 'http://127.0.0.1:3301', method: 'GET', paths }],
      ['raw node:http', 'GET /recommend/:member', { url: 'http://127.0.0.1:3302', method: 'GET', paths }],
    ];
    const rowsOut: { server: string; route: string; rps: number; p50: number; p99: number; p99At1000: number | null; non2xx: number; errors: number }[] = [];
    for (const [server, routeName, load] of loads) {
      await cannon({ ...load }, 200); // warm-up
      const max = await cannon(load);
      const fixed = max.rps >= 1000 ? await cannon(load, 1000) : null;
      rowsOut.push({ server, route: routeName, rps: max.rps, p50: max.p50, p99: max.p99, p99At1000: fixed?.p99 ?? null, non2xx: max.non2xx + (fixed?.non2xx ?? 0), errors: max.errors + (fixed?.errors ?? 0) });
      console.log(`${server} ${routeName}: ${Math.round(max.rps)} req/s, p50 ${max.p50} ms, p99 ${max.p99} ms${fixed ? `, p99 at 1000 req/s ${fixed.p99} ms` : ''}`);
    }
    console.table(rowsOut.map((r) => ({ ...r, rps: Math.round(r.rps) })));
    const get = (s: string, r: string) => rowsOut.find((x) => x.server === s && x.route === r)!;
    const express = get('fitlake (Express)', 'POST /predict/churn');
    const ratios = {
      vsMlflow: express.rps / get('MLflow scoring server', 'POST /invocations').rps,
      vsRawChurn: express.rps / get('raw node:http', 'POST /predict/churn').rps,
      vsRawRecommend: get('fitlake (Express)', 'GET /recommend/:member').rps / get('raw node:http', 'GET /recommend/:member').rps,
    };
    console.log(`targets: ≥ 5× MLflow throughput → ${ratios.vsMlflow.toFixed(1)}× ${ratios.vsMlflow >= 5 ? 'met' : 'NOT met'}; p99 ≤ 5 ms at 1000 req/s → ${express.p99At1000} ms ${express.p99At1000 !== null && express.p99At1000 <= 5 ? 'met' : 'NOT met'}; Express ≥ 0.5× raw → churn ${ratios.vsRawChurn.toFixed(2)}×, recommend ${ratios.vsRawRecommend.toFixed(2)}× ${Math.min(ratios.vsRawChurn, ratios.vsRawRecommend) >= 0.5 ? 'met' : 'NOT met'}`);
    mkdirSync(join(__dirname, 'results'), { recursive: true });
    writeFileSync(join(__dirname, 'results', 'serve.json'), JSON.stringify({ benchmark: 'serve', rows: rowsOut, ratios, members: ids.length, durationSeconds: DURATION, pinned: PIN, machine: { cpus: cpus().length, memGb: Math.round(totalmem() / 2 ** 30), node: process.version }, at: new Date().toISOString() }, null, 2) + '\n');
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    await tracker.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
