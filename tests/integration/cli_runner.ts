import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `fitlake` CLI in a child process. */
export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'fitlake.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, FITLAKE_LOG_LEVEL: 'warn', TZ: 'UTC', ...env },
    timeout: 120000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
