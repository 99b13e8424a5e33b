import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `fitlake` CLI in a child process; `unprivileged` runs it as a user with no rights
 * beyond the files' modes (as root: `setpriv` to nobody, for whom a read-only folder is read-only).
 */
export function runCli(args: string[], env: Record<string, string> = {}, opts: { unprivileged?: boolean; timeoutMs?: number } = {}): CliResult {
  const cli = [join(__dirname, '..', '..', 'bin', 'fitlake.js'), ...args];
  const asNobody = opts.unprivileged && process.getuid?.() === 0;
  const [cmd, argv] = asNobody ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ...cli]] : [process.execPath, cli];
  const r = spawnSync(cmd, argv, {
    encoding: 'utf8',
    env: { ...process.env, FITLAKE_LOG_LEVEL: 'warn', TZ: 'UTC', ...(asNobody ? { HOME: tmpdir() } : {}), ...env },
    timeout: opts.timeoutMs ?? 120000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
