// The deployment artifacts (Dockerfiles, docker-compose.yml, deploy/k8s, infra/terraform, the
// GitHub workflows) validated offline by scripts/validate_deploy.py, and each kind of mistake it
// exists to catch, made on a copy, refused with a message naming it.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../fixtures/cache';

jest.setTimeout(180_000);

function validate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(REPO, '.venv', 'bin', 'python'), [join(REPO, 'scripts', 'validate_deploy.py'), ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const ARTIFACTS = ['Dockerfile', 'docker-compose.yml', 'deploy', 'infra', '.github'];

describe('deployment artifacts, validated offline', () => {
  let copy: string;
  beforeEach(() => {
    copy = mkdtempSync(join(tmpdir(), 'fitlake-deploy-'));
    for (const a of ARTIFACTS) cpSync(join(REPO, a), join(copy, a), { recursive: true });
  });
  afterEach(() => rmSync(copy, { recursive: true, force: true }));

  /** Rewrites one file of the copy. */
  function edit(path: string, change: (text: string) => string): void {
    const file = join(copy, path);
    const before = readFileSync(file, 'utf8');
    const after = change(before);
    expect(after).not.toBe(before);
    writeFileSync(file, after);
  }

  it('every artifact of the checkout passes', async () => {
    const run = await validate([]);
    expect({ code: run.code, failures: run.stdout.split('\n').filter((l) => l.startsWith('FAIL')) }).toEqual({ code: 0, failures: [] });
    for (const line of [
      'ok   compose: compose-go loads docker-compose.yml (default and every profile)',
      'ok   compose: health-based ordering, pinned images, nothing installed at start',
      'ok   dockerfile: Dockerfile',
      'ok   dockerfile: mlflow/Dockerfile',
      "ok   k8s base: 14 objects against Kubernetes 1.33's schemas (strict)",
      "ok   k8s overlays/dev: 16 objects against Kubernetes 1.33's schemas (strict)",
      "ok   k8s overlays/prod: 19 objects against Kubernetes 1.33's schemas (strict) and the SparkApplication against the Spark Operator CRD",
      'ok   workflows: actionlint on bench.yml, ci.yml, image.yml',
    ]) expect(run.stdout).toContain(line);
    expect(run.stdout).toMatch(/^ok {3}terraform: 6 files parse; \d+ variables typed, described and used; providers pinned; bucket encrypted, versioned, private, with lifecycle rules$/m);
  });

  it('refuses compose ordering on a service without a healthcheck, a floating image and an install at start', async () => {
    edit('docker-compose.yml', (t) => t.replace(/ {4}healthcheck:\n {6}test: \["CMD", "redis-cli", "ping"\]\n {6}interval: 5s\n {6}timeout: 3s\n {6}retries: 12\n/, '').replace('image: redis:7.4-bookworm', 'image: redis:latest').replace('command: ["report", "weekly"', 'command: ["sh", "-c", "npm install && node bin/fitlake.js report weekly"'));
    const run = await validate(['--root', copy, '--only', 'compose']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL compose: health-based ordering, pinned images, nothing installed at start: api waits for redis to be healthy, but redis has no healthcheck');
    expect(run.stdout).toContain("FAIL compose: health-based ordering, pinned images, nothing installed at start: redis: image 'redis:latest' is not pinned to a version");
    expect(run.stdout).toMatch(/FAIL compose: .*report: installs packages at every start/);
    expect(run.stderr).toMatch(/validate_deploy: \d+ problem\(s\)/);
  });

  it('refuses a compose file the compose loader rejects, saying why', async () => {
    edit('docker-compose.yml', (t) => t.replace('condition: service_completed_successfully', 'condition: service_done'));
    const run = await validate(['--root', copy, '--only', 'compose']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL compose: compose-go loads docker-compose.yml .*condition value must be one of 'service_started', 'service_healthy', 'service_completed_successfully'/);
  });

  it('refuses an unpinned base image, a root runtime and an image without a healthcheck', async () => {
    edit('Dockerfile', (t) => t.replace('ARG NODE_IMAGE=node:20.20.2-bookworm-slim', 'ARG NODE_IMAGE=node:latest').replace(/^USER node\nVOLUME/m, 'VOLUME').replace(/^HEALTHCHECK [^\n]*\n[^\n]*\n/m, ''));
    const run = await validate(['--root', copy, '--only', 'dockerfile']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL dockerfile: Dockerfile: FROM ${NODE_IMAGE}: base image not pinned to a version');
    expect(run.stdout).toContain('FAIL dockerfile: Dockerfile: stage runtime runs as root');
    expect(run.stdout).toContain('FAIL dockerfile: Dockerfile: stage runtime has no HEALTHCHECK');
  });

  it('refuses a manifest Kubernetes would reject, a workload without probes and a bad SparkApplication', async () => {
    edit('deploy/k8s/base/api.yaml', (t) => t.replace('          readinessProbe:\n            httpGet:\n              path: /readyz', '          readinessProbes:\n            httpGet:\n              path: /readyz'));
    edit('deploy/k8s/spark/spark-application.yaml', (t) => t.replace('  mode: cluster', '  mode: cluster\n  driverCores: 1'));
    const run = await validate(['--root', copy, '--only', 'k8s']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL k8s base: .*: resource deployment\/fitlake-api against version 1\.33: spec\.template\.spec\.containers\.0: Additional properties are not allowed \('readinessProbes' was unexpected\)/);
    expect(run.stdout).toContain('Deployment/fitlake-api container api: no readiness and liveness probes');
    expect(run.stdout).toMatch(/FAIL k8s overlays\/prod: .*SparkApplication\/fitlake-pipeline spec: Additional properties are not allowed \('driverCores' was unexpected\)/);
  });

  it('refuses an undescribed or undeclared Terraform variable and an unencrypted bucket', async () => {
    edit('infra/terraform/variables.tf', (t) => t.replace('  description = "Workers of the job cluster."\n', ''));
    edit('infra/terraform/databricks.tf', (t) => t.replace('num_workers        = var.workers', 'num_workers        = var.worker_count'));
    rmSync(join(copy, 'infra/terraform/s3.tf'));
    writeFileSync(join(copy, 'infra/terraform/s3.tf'), readFileSync(join(REPO, 'infra/terraform/s3.tf'), 'utf8').replace(/resource "aws_s3_bucket_server_side_encryption_configuration"[\s\S]*?\n}\n/, ''));
    const run = await validate(['--root', copy, '--only', 'terraform']);
    expect(run.code).toBe(1);
    for (const problem of ['variable workers: needs a type and a description', 'var.worker_count is used but not declared', 'no aws_s3_bucket_server_side_encryption_configuration']) expect(run.stdout).toContain(problem);
  });

  it('refuses a workflow actionlint rejects', async () => {
    edit('.github/workflows/bench.yml', (t) => t.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minutes: forever'));
    const run = await validate(['--root', copy, '--only', 'workflows']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL workflows: .*bench\.yml:\d+:\d+: .*timeout-minutes/);
  });

  it('says what is missing when there is no Go to build the tools with', () => {
    const run = spawnSync('bash', [join(REPO, 'scripts', 'install_deploy_tools.sh')], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: copy }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("fitlake's deployment checks need Go 1.24 or later to build kustomize, actionlint and composeconfig (https://go.dev/dl; none on PATH)");
  });

  it('refuses an unknown check by name', async () => {
    const run = await validate(['--only', 'compose,helm']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--only: unknown check helm (known: compose, dockerfile, k8s, terraform, workflows)');
  });
});
