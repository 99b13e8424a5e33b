// The runtime image, built from the Dockerfile by a real Docker engine (Debian's docker.io, started
// here on a private socket and data root, and stopped afterwards) and run: `fitlake --help`, the
// non-root user, `train` into a volume, `serve` answering /healthz and the dashboard, the image's
// HEALTHCHECK turning healthy. Docker Hub is out of reach here, so the node:20 bookworm-slim base is
// stood in for by scripts/install_docker.sh's (Debian bookworm + this machine's node, user node 1000).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../core/net';
import { REPO } from '../fixtures/cache';
import { stopChild } from './redis_server';

jest.setTimeout(900_000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the runtime image, built and run by a real Docker engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fitlake-docker-'));
  const host = `unix://${join(dir, 'docker.sock')}`;
  const image = 'fitlake:test';
  let dockerd: ChildProcess;
  let built: Run;

  function docker(args: string[], timeoutMs = 600_000, env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve) => {
      execFile('docker', ['-H', host, ...args], { timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = await probe().catch(() => undefined);
      if (got !== undefined) return got;
      if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  beforeAll(async () => {
    const base = readdirSync(join(REPO, '.tools', 'docker')).find((n) => n.startsWith(`node-base-${process.version}-`));
    if (!base) throw new Error(`no base image for node ${process.version} in .tools/docker: run bash scripts/install_docker.sh`);
    dockerd = spawn('dockerd', ['--host', host, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'run'), '--pidfile', join(dir, 'dockerd.pid'), '--bridge=none', '--iptables=false', '--ip6tables=false', '--storage-driver=overlay2'], { stdio: 'ignore' });
    await until('dockerd did not answer', async () => ((await docker(['info'], 10_000)).code === 0 ? true : undefined), 60_000);
    const imported = await docker(['import', '--change', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--change', 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt', join(REPO, '.tools', 'docker', base), 'fitlake-node-base:test']);
    expect(imported.stderr).toBe('');
    built = await docker(['build', '--network', 'host', '--build-arg', 'NODE_IMAGE=fitlake-node-base:test', '--target', 'runtime', '-t', image, REPO], 600_000, { DOCKER_BUILDKIT: '0' });
  });
  afterAll(async () => {
    if (dockerd) {
      const running = await docker(['ps', '-aq'], 30_000);
      if (running.stdout.trim()) await docker(['rm', '-f', ...running.stdout.trim().split('\n')], 60_000);
      await stopChild(dockerd);
    }
    // dockerd leaves its network namespace mounted under its exec root
    const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(dir + '/'));
    for (const m of mounts.sort().reverse()) execFileSync('umount', [m]);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  });

  it('builds from the lockfile with npm ci, production dependencies only', async () => {
    expect({ code: built.code, tail: built.code ? built.stderr.slice(-2000) : '' }).toEqual({ code: 0, tail: '' });
    expect(built.stdout).toContain('npm ci --omit=dev');
    const devDependency = await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'node', image, '-e', "require.resolve('jest')"], 60_000);
    expect(devDependency.code).not.toBe(0);
    expect(devDependency.stderr).toContain("Cannot find module 'jest'");
  });

  it('runs `fitlake` as its entry point, as the non-root user node', async () => {
    const help = await docker(['run', '--rm', '--network', 'none', image, '--help'], 60_000);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('fitlake: lakehouse, feature store and model service for gyms');
    for (const command of ['train', 'serve', 'stream', 'report']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    const id = await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'id', image], 60_000);
    expect(id.stdout.trim()).toBe('uid=1000(node) gid=1000(node) groups=1000(node)');
    const bad = await docker(['run', '--rm', '--network', 'none', image, 'trian'], 60_000);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown command 'trian'");
  });

  it('trains into the /data volume, then serves /healthz and the dashboard, and its HEALTHCHECK turns healthy', async () => {
    const train = await docker(['run', '--rm', '--network', 'none', '-v', 'fitlake-test-data:/data', image, 'train', '--scale', 'tiny'], 300_000);
    expect({ code: train.code, stderr: train.code ? train.stderr.slice(-2000) : '' }).toEqual({ code: 0, stderr: '' });
    expect(train.stdout).toContain('runs: /data/lakehouse/mlruns');

    const port = await freePort();
    const started = await docker(['run', '-d', '--name', 'fitlake-test-api', '--network', 'host', '-e', `PORT=${port}`, '-v', 'fitlake-test-data:/data', image, 'serve'], 60_000);
    expect(started.code).toBe(0);
    const health = await until('the API did not answer /healthz', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      return r.ok ? ((await r.json()) as unknown) : undefined;
    }, 120_000);
    expect(health).toEqual({ status: 'ok' });
    expect((await fetch(`http://127.0.0.1:${port}/ui/overview`)).status).toBe(200);
    const status = await until('the container did not turn healthy', async () => {
      const s = (await docker(['inspect', '--format', '{{.State.Health.Status}}', 'fitlake-test-api'], 30_000)).stdout.trim();
      return s === 'healthy' ? s : undefined;
    }, 120_000);
    expect(status).toBe('healthy');
  });
});
