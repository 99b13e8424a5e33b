import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomInt, randomUUID } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, writeFileAtomic } from '../../core/atomic_fs';
import { NotFoundError, ValidationError } from '../../core/errors';
import { checkName, newRunId, splitBatch, type KeyValue, type LogBatch, type ModelVersion, type RegisteredVersion, type RunDetail, type RunInfo, type RunStatus, type RunTracker } from './run_tracker';
import { parseYaml, toYaml, type YamlValue } from './yaml';

const STATUS_CODE: Record<RunStatus, number> = { RUNNING: 1, FINISHED: 3, FAILED: 4, KILLED: 5 };

/**
 * MLflow's file-store layout under a folder (default `<lakehouse>/mlruns`): readable by `mlflow ui`
 * and `mlflow.search_runs`. Artifact locations are written relative to the folder holding it
 * (`mlruns/<experiment>/<run>/artifacts`), so a copied or moved lakehouse still opens: MLflow resolves
 * them against its working directory (start `mlflow ui` there), this tracker against its own location.
 */
export class FileRunTracker implements RunTracker {
  readonly type = 'file' as const;
  readonly location: string;

  constructor(root: string, private readonly now: () => number = Date.now, private readonly user = process.env.USER ?? 'fitlake') {
    this.location = resolve(root);
  }

  private yaml(path: string): Record<string, YamlValue> {
    return parseYaml(readFileSync(path, 'utf8'));
  }

  private writeYaml(path: string, doc: Record<string, YamlValue>): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, toYaml(doc));
  }

  private locked<T>(fn: () => T): T {
    mkdirSync(this.location, { recursive: true });
    const release = acquireLock(join(this.location, '.fitlake.lock'), 'the mlruns folder');
    try {
      return fn();
    } finally {
      release();
    }
  }

  /** A path under the tracking folder as a location relative to the folder holding it. */
  private relativeUri(path: string): string {
    return relative(dirname(this.location), path).split(sep).join('/');
  }

  /** An artifact location as a local path: relative ones (ours) against the tracking folder's parent, `file:` URIs as they are. */
  private localPath(uri: string): string {
    return uri.startsWith('file:') ? fileURLToPath(uri) : resolve(dirname(this.location), uri);
  }

  private experimentMeta(id: string, name: string): Record<string, YamlValue> {
    const t = this.now();
    return { artifact_location: this.relativeUri(join(this.location, id)), creation_time: t, experiment_id: id, last_update_time: t, lifecycle_stage: 'active', name };
  }

  async experiment(name: string): Promise<string> {
    checkName('experiment name', name);
    return this.locked(() => {
      if (!existsSync(join(this.location, '0', 'meta.yaml'))) this.writeYaml(join(this.location, '0', 'meta.yaml'), this.experimentMeta('0', 'Default'));
      for (const id of readdirSync(this.location)) {
        const meta = join(this.location, id, 'meta.yaml');
        if (/^\d+$/.test(id) && existsSync(meta) && this.yaml(meta).name === name) return id;
      }
      const id = String(randomInt(1, 9)) + Array.from({ length: 17 }, () => randomInt(0, 10)).join('');
      this.writeYaml(join(this.location, id, 'meta.yaml'), this.experimentMeta(id, name));
      return id;
    });
  }

  private runDir(runId: string): string {
    if (!/^[0-9a-f]{32}$/.test(runId)) throw new ValidationError(`invalid run id "${runId}"`, 'run_id');
    for (const id of readdirSync(this.location)) {
      const dir = join(this.location, id, runId);
      if (existsSync(join(dir, 'meta.yaml'))) return dir;
    }
    throw new NotFoundError(`run ${runId} not found in ${this.location}`);
  }

  async startRun(experimentId: string, runName: string, tags: KeyValue[]): Promise<RunInfo> {
    const runId = newRunId(randomUUID);
    const dir = join(this.location, experimentId, runId);
    if (!existsSync(join(this.location, experimentId, 'meta.yaml'))) throw new NotFoundError(`experiment ${experimentId} not found`);
    const artifactUri = this.relativeUri(join(dir, 'artifacts'));
    this.writeYaml(join(dir, 'meta.yaml'), {
      artifact_uri: artifactUri, end_time: null, entry_point_name: '', experiment_id: experimentId, lifecycle_stage: 'active',
      run_id: runId, run_name: runName, source_name: '', source_type: 4, source_version: '', start_time: this.now(), status: STATUS_CODE.RUNNING, tags: [], user_id: this.user,
    });
    for (const sub of ['metrics', 'params', 'tags', 'artifacts']) mkdirSync(join(dir, sub), { recursive: true });
    await this.logBatch(runId, { tags: [{ key: 'mlflow.runName', value: runName }, { key: 'mlflow.user', value: this.user }, ...tags] });
    return { runId, experimentId, artifactUri };
  }

  private writeKey(dir: string, key: string, value: string, kind: 'params' | 'tags'): void {
    const path = join(dir, kind, ...key.split('/'));
    if (kind === 'params' && existsSync(path) && readFileSync(path, 'utf8') !== value) {
      throw new ValidationError(`param ${key} was already logged with a different value`, key);
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, value);
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    const dir = this.runDir(runId);
    for (const part of splitBatch(batch)) {
      for (const p of part.params ?? []) this.writeKey(dir, p.key, p.value, 'params');
      for (const t of part.tags ?? []) this.writeKey(dir, t.key, t.value, 'tags');
      const lines = new Map<string, string[]>();
      for (const m of part.metrics ?? []) lines.set(m.key, [...(lines.get(m.key) ?? []), `${m.timestamp} ${fmt(m.value)} ${m.step}\n`]);
      for (const [key, ls] of lines) {
        const path = join(dir, 'metrics', ...key.split('/'));
        mkdirSync(dirname(path), { recursive: true });
        appendFileSync(path, ls.join(''));
      }
    }
  }

  async logArtifact(run: RunInfo, path: string, content: Buffer | string): Promise<void> {
    const root = this.localPath(run.artifactUri);
    const target = resolve(root, path);
    if (!target.startsWith(root + sep)) throw new ValidationError(`artifact path "${path}" leaves the run's artifact folder`, 'path');
    mkdirSync(dirname(target), { recursive: true });
    writeFileAtomic(target, content);
  }

  async endRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>): Promise<void> {
    const path = join(this.runDir(runId), 'meta.yaml');
    this.writeYaml(path, { ...this.yaml(path), status: STATUS_CODE[status], end_time: this.now() });
  }

  async runningRuns(experimentId: string): Promise<{ runId: string; tags: Record<string, string> }[]> {
    const dir = join(this.location, experimentId);
    if (!existsSync(dir)) return [];
    const out: { runId: string; tags: Record<string, string> }[] = [];
    for (const runId of readdirSync(dir).filter((n) => /^[0-9a-f]{32}$/.test(n))) {
      const meta = join(dir, runId, 'meta.yaml');
      if (!existsSync(meta) || this.yaml(meta).status !== STATUS_CODE.RUNNING) continue;
      out.push({ runId, tags: keyFiles(join(dir, runId, 'tags')) });
    }
    return out;
  }

  async getRun(runId: string): Promise<RunDetail> {
    const dir = this.runDir(runId);
    const meta = this.yaml(join(dir, 'meta.yaml'));
    const status = (Object.entries(STATUS_CODE).find(([, code]) => code === meta.status)?.[0] ?? 'RUNNING') as RunStatus;
    // a metric file holds one "<timestamp> <value> <step>" line per value: the last one is the latest
    const metrics = Object.fromEntries(Object.entries(keyFiles(join(dir, 'metrics'))).map(([k, text]) => [k, Number(text.trimEnd().split('\n').at(-1)?.split(' ')[1])]));
    return {
      runId, experimentId: String(meta.experiment_id), artifactUri: String(meta.artifact_uri), runName: String(meta.run_name ?? ''), status,
      startTime: Number(meta.start_time), endTime: meta.end_time === null ? null : Number(meta.end_time), metrics, params: keyFiles(join(dir, 'params')), tags: keyFiles(join(dir, 'tags')),
    };
  }

  async readArtifact(run: Pick<RunInfo, 'artifactUri'>, path: string): Promise<Buffer> {
    return this.readUnder(run.artifactUri, path, "the run's artifact folder", `the run has no artifact ${path}`);
  }

  private readUnder(uri: string, path: string, folder: string, missing: string): Buffer {
    const root = this.localPath(uri);
    const target = resolve(root, path);
    if (!target.startsWith(root + sep)) throw new ValidationError(`file "${path}" leaves ${folder}`, 'path');
    if (!existsSync(target)) throw new NotFoundError(missing);
    return readFileSync(target);
  }

  private modelDir(name: string): string {
    checkName('model name', name);
    return join(this.location, 'models', name);
  }

  async createModelVersion(name: string, run: RunInfo, artifactPath: string, tags: KeyValue[]): Promise<ModelVersion> {
    const dir = this.modelDir(name);
    return this.locked(() => {
      const t = this.now();
      const metaPath = join(dir, 'meta.yaml');
      const meta = existsSync(metaPath) ? this.yaml(metaPath) : { aliases: {}, creation_timestamp: t, description: null, name };
      this.writeYaml(metaPath, { ...meta, last_updated_timestamp: t });
      this.removeBrokenVersions(dir);
      const versions = readdirSync(dir).map((f) => /^version-(\d+)$/.exec(f)).filter((m) => m !== null).map((m) => Number(m[1]));
      const version = String(Math.max(0, ...versions) + 1);
      const source = `${run.artifactUri}/${artifactPath}`;
      const staging = join(dir, `.version-${version}.${process.pid}.tmp`);
      rmSync(staging, { recursive: true, force: true });
      this.writeYaml(join(staging, 'meta.yaml'), {
        creation_timestamp: t, current_stage: 'None', description: null, last_updated_timestamp: t, name, run_id: run.runId, run_link: null,
        source, status: 'READY', status_message: null, storage_location: source, user_id: this.user, version: Number(version),
      });
      for (const tag of tags) {
        mkdirSync(join(staging, 'tags'), { recursive: true });
        writeFileSync(join(staging, 'tags', tag.key), tag.value);
      }
      renameSync(staging, join(dir, `version-${version}`));
      return { name, version, runId: run.runId, source, tags: Object.fromEntries(tags.map((x) => [x.key, x.value])) };
    });
  }

  /** A version folder is built aside and renamed in whole; what a crash left of one (before that rule, or aside) is removed. */
  private removeBrokenVersions(dir: string): void {
    for (const n of readdirSync(dir)) {
      const broken = (/^version-\d+$/.test(n) && !existsSync(join(dir, n, 'meta.yaml'))) || /^\.version-\d+\..*\.tmp$/.test(n);
      if (broken) rmSync(join(dir, n), { recursive: true, force: true });
    }
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    if (!/^[\w-]+$/.test(alias) || alias === 'latest' || /^v\d+$/.test(alias)) throw new ValidationError(`invalid alias "${alias}"`, 'alias');
    const dir = this.modelDir(name);
    if (!existsSync(join(dir, `version-${version}`, 'meta.yaml'))) throw new NotFoundError(`model ${name} has no version ${version}`);
    this.locked(() => {
      const metaPath = join(dir, 'meta.yaml');
      const meta = this.yaml(metaPath);
      const aliases = { ...(typeof meta.aliases === 'object' && meta.aliases !== null && !Array.isArray(meta.aliases) ? meta.aliases : {}), [alias]: version };
      mkdirSync(join(dir, 'aliases'), { recursive: true });
      writeFileAtomic(join(dir, 'aliases', alias), version);
      this.writeYaml(metaPath, { ...meta, aliases, last_updated_timestamp: this.now() });
    });
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | null> {
    const aliasPath = join(this.modelDir(name), 'aliases', alias);
    if (!existsSync(aliasPath)) return null;
    const version = readFileSync(aliasPath, 'utf8').trim();
    const vdir = join(this.modelDir(name), `version-${version}`);
    const meta = this.yaml(join(vdir, 'meta.yaml'));
    return { name, version, runId: String(meta.run_id), source: String(meta.source), tags: keyFiles(join(vdir, 'tags')) };
  }

  async readModelFile(version: ModelVersion, path: string): Promise<Buffer> {
    return this.readUnder(version.source, path, 'the model folder', `model ${version.name} v${version.version} has no file ${path}`);
  }

  async listModels(): Promise<string[]> {
    const dir = join(this.location, 'models');
    return existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(join(dir, n, 'meta.yaml'))).sort() : [];
  }

  async listVersions(name: string): Promise<RegisteredVersion[]> {
    const dir = this.modelDir(name);
    if (!existsSync(dir)) return [];
    const aliases = keyFiles(join(dir, 'aliases'));
    const out: RegisteredVersion[] = [];
    for (const n of readdirSync(dir)) {
      const version = /^version-(\d+)$/.exec(n)?.[1];
      if (!version || !existsSync(join(dir, n, 'meta.yaml'))) continue;
      const meta = this.yaml(join(dir, n, 'meta.yaml'));
      const on = Object.keys(aliases).filter((a) => aliases[a].trim() === version).sort();
      out.push({ name, version, runId: String(meta.run_id), source: String(meta.source), tags: keyFiles(join(dir, n, 'tags')), aliases: on, createdAt: Number(meta.creation_timestamp) });
    }
    return out.sort((a, b) => Number(b.version) - Number(a.version));
  }

  async close(): Promise<void> {}
}

/** The files under `dir` (keys with `/` are nested folders) as key → content; {} when there is no folder. */
function keyFiles(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const keys = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((k) => !statSync(join(dir, k)).isDirectory());
  return Object.fromEntries(keys.map((k) => [k.split(sep).join('/'), readFileSync(join(dir, k), 'utf8')]));
}

/** MLflow's text form of non-finite metric values. */
function fmt(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}
