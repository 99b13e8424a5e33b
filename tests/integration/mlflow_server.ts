import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, stopChild } from './redis_server';

/** The virtual environment holding the real `mlflow` from PyPI (`bash .ci/run` installs it into .venv). */
function venv(): string {
  const dir = process.env.FITLAKE_MLFLOW_VENV ?? join(__dirname, '..', '..', '.venv');
  if (!existsSync(join(dir, 'bin', 'mlflow'))) {
    throw new Error(`mlflow is not installed in ${dir}: run \`python3 -m venv .venv && .venv/bin/pip install mlflow==3.17.2\` (bash .ci/run does this)`);
  }
  return dir;
}

/**
 * Runs a Python snippet with MLflow's own client and returns what it prints as JSON. `cwd`: where it
 * runs (MLflow resolves a file store's relative artifact locations against it, as `mlflow ui` does).
 */
export function mlflowPython(script: string, opts: { env?: Record<string, string>; cwd?: string } = {}): unknown {
  const out = execFileSync(join(venv(), 'bin', 'python'), ['-c', script], { cwd: opts.cwd, env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', PYTHONWARNINGS: 'ignore', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = out.toString().trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** A real `mlflow server` on 127.0.0.1 with a SQLite backend and proxied artifacts under `dir`. */
export async function startMlflow(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(
    join(venv(), 'bin', 'mlflow'),
    ['server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1', '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`, '--artifacts-destination', join(dir, 'artifacts')],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PYTHONWARNINGS: 'ignore' } },
  );
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`mlflow server exited with ${proc.exitCode}: ${stderr}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`mlflow server did not answer on ${url}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, stop: () => stopChild(proc) };
}
