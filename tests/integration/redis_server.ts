import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';

import { freePort } from '../../core/net';

export { freePort };

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port }, () => sock.write('PING\r\n'));
    sock.once('data', (d) => {
      sock.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.once('error', () => resolve(false));
  });
}

/** A real redis-server (from apt) on 127.0.0.1 and a free port, without persistence. */
export async function startRedis(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const proc: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => proc.once('error', (e) => reject(new Error(`cannot start redis-server (apt-get install redis-server): ${e.message}`))));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await Promise.race([ping(port), failed])) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop: () => stopChild(proc) };
}

/** SIGTERM to a child process, resolved once it has exited. */
export function stopChild(proc: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}
