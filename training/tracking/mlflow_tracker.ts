import { z } from 'zod';
import { AppError, NotFoundError } from '../../core/errors';
import { checkName, RUN_STATUSES, splitBatch, type KeyValue, type LogBatch, type ModelVersion, type RegisteredVersion, type RunDetail, type RunInfo, type RunStatus, type RunTracker } from './run_tracker';

const ErrorBody = z.object({ error_code: z.string(), message: z.string() }).passthrough();
const Experiment = z.object({ experiment: z.object({ experiment_id: z.string() }).passthrough() }).passthrough();
const Created = z.object({ experiment_id: z.string() }).passthrough();
const Run = z.object({ run: z.object({ info: z.object({ run_id: z.string(), experiment_id: z.string(), artifact_uri: z.string() }).passthrough() }).passthrough() }).passthrough();
const Version = z
  .object({ name: z.string(), version: z.string(), run_id: z.string().optional(), source: z.string(), tags: z.array(z.object({ key: z.string(), value: z.string() })).optional() })
  .passthrough();
const SearchRuns = z
  .object({
    runs: z.array(z.object({ info: z.object({ run_id: z.string() }).passthrough(), data: z.object({ tags: z.array(z.object({ key: z.string(), value: z.string() })).optional() }).passthrough().optional() }).passthrough()).optional(),
    next_page_token: z.string().optional(),
  })
  .passthrough();
const VersionBody = z.object({ model_version: Version }).passthrough();
const Models = z.object({ registered_models: z.array(z.object({ name: z.string() }).passthrough()).optional(), next_page_token: z.string().optional() }).passthrough();
const Pairs = z.array(z.object({ key: z.string(), value: z.unknown() }).passthrough()).optional();
const Versions = z.object({ model_versions: z.array(Version.extend({ creation_timestamp: z.coerce.number().optional() })).optional(), next_page_token: z.string().optional() }).passthrough();
const Registered = z.object({ registered_model: z.object({ aliases: z.array(z.object({ alias: z.string(), version: z.string() })).optional() }).passthrough() }).passthrough();
const RunGet = z
  .object({
    run: z
      .object({
        info: z.object({ run_id: z.string(), experiment_id: z.string(), artifact_uri: z.string(), run_name: z.string().optional(), status: z.enum(RUN_STATUSES), start_time: z.coerce.number(), end_time: z.coerce.number().optional() }).passthrough(),
        data: z.object({ metrics: Pairs, params: Pairs, tags: Pairs }).passthrough().optional(),
      })
      .passthrough(),
  })
  .passthrough();

/** An MLflow tracking server answered with an error (`code` is MLflow's error_code). */
export class MlflowError extends AppError {
  constructor(message: string, readonly mlflowCode: string, readonly status: number) {
    super('TRACKING', message, { exitCode: 8, httpStatus: 502 });
  }
}

const PROXY = 'mlflow-artifacts:/';

/** A tracking server's REST API (`MLFLOW_TRACKING_URI`), with artifacts through its mlflow-artifacts proxy. */
export class MlflowRestTracker implements RunTracker {
  readonly type = 'mlflow' as const;

  constructor(readonly location: string, private readonly env: NodeJS.ProcessEnv = process.env, private readonly now: () => number = Date.now) {
    this.location = location.replace(/\/+$/, '');
  }

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = json ? { 'content-type': 'application/json' } : { 'content-type': 'application/octet-stream' };
    if (this.env.MLFLOW_TRACKING_TOKEN) h.authorization = `Bearer ${this.env.MLFLOW_TRACKING_TOKEN}`;
    else if (this.env.MLFLOW_TRACKING_USERNAME) h.authorization = `Basic ${Buffer.from(`${this.env.MLFLOW_TRACKING_USERNAME}:${this.env.MLFLOW_TRACKING_PASSWORD ?? ''}`).toString('base64')}`;
    return h;
  }

  /** One HTTP call, retried on 429/503 and network errors (3 tries, backoff); MLflow errors become MlflowError. */
  private async call(method: string, path: string, body?: unknown, raw?: Buffer | string): Promise<Response> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      try {
        const res = await fetch(`${this.location}${path}`, {
          method,
          headers: this.headers(raw === undefined),
          body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
          signal: AbortSignal.timeout(30_000),
        });
        if (res.status === 429 || res.status === 503) {
          lastError = new MlflowError(`${method} ${path}: HTTP ${res.status}`, 'TEMPORARILY_UNAVAILABLE', res.status);
          continue;
        }
        if (!res.ok) {
          const text = await res.text();
          const parsed = ErrorBody.safeParse(safeJson(text));
          const mlflowCode = parsed.success ? parsed.data.error_code : `HTTP_${res.status}`;
          throw new MlflowError(`${method} ${path}: ${parsed.success ? parsed.data.message : text.slice(0, 200)}`, mlflowCode, res.status);
        }
        return res;
      } catch (e) {
        if (e instanceof MlflowError) throw e;
        lastError = e;
      }
    }
    const reason = lastError instanceof MlflowError ? lastError.message : `cannot reach MLflow at ${this.location}: ${(lastError as { message?: string })?.message ?? String(lastError)}`;
    throw new MlflowError(reason, lastError instanceof MlflowError ? lastError.mlflowCode : 'UNREACHABLE', lastError instanceof MlflowError ? lastError.status : 0);
  }

  private async json<T>(schema: z.ZodType<T>, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(method, `/api/2.0/mlflow/${path}`, body);
    const parsed = schema.safeParse(await res.json());
    if (!parsed.success) throw new MlflowError(`${method} ${path}: unexpected response: ${parsed.error.issues[0]?.message}`, 'BAD_RESPONSE', res.status);
    return parsed.data;
  }

  async experiment(name: string): Promise<string> {
    checkName('experiment name', name);
    const get = () => this.json(Experiment, 'GET', `experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`).then((r) => r.experiment.experiment_id);
    try {
      return await get();
    } catch (e) {
      if (!(e instanceof MlflowError) || e.mlflowCode !== 'RESOURCE_DOES_NOT_EXIST') throw e;
    }
    try {
      return (await this.json(Created, 'POST', 'experiments/create', { name })).experiment_id;
    } catch (e) {
      if (e instanceof MlflowError && e.mlflowCode === 'RESOURCE_ALREADY_EXISTS') return get();
      throw e;
    }
  }

  async startRun(experimentId: string, runName: string, tags: KeyValue[]): Promise<RunInfo> {
    const r = await this.json(Run, 'POST', 'runs/create', { experiment_id: experimentId, run_name: runName, start_time: this.now(), tags });
    return { runId: r.run.info.run_id, experimentId: r.run.info.experiment_id, artifactUri: r.run.info.artifact_uri };
  }

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    for (const part of splitBatch(batch)) {
      const metrics = (part.metrics ?? []).map((m) => ({ ...m, value: Number.isFinite(m.value) ? m.value : Number.isNaN(m.value) ? 'NaN' : m.value > 0 ? 'Infinity' : '-Infinity' }));
      await this.json(z.object({}).passthrough(), 'POST', 'runs/log-batch', { run_id: runId, metrics, params: part.params, tags: part.tags });
    }
  }

  private proxyPath(uri: string, path: string): string {
    if (!uri.startsWith(PROXY)) throw new MlflowError(`artifact location ${uri} is not served by the tracking server (start it with artifact proxying, the default)`, 'UNSUPPORTED_ARTIFACT_URI', 0);
    const rel = `${uri.slice(PROXY.length).replace(/^\/+/, '')}/${path}`;
    if (rel.split('/').includes('..')) throw new MlflowError(`artifact path "${path}" contains ..`, 'INVALID_PARAMETER_VALUE', 0);
    return `/api/2.0/mlflow-artifacts/artifacts/${rel.split('/').map(encodeURIComponent).join('/')}`;
  }

  async logArtifact(run: RunInfo, path: string, content: Buffer | string): Promise<void> {
    await this.call('PUT', this.proxyPath(run.artifactUri, path), undefined, content);
  }

  async endRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>): Promise<void> {
    await this.json(z.object({}).passthrough(), 'POST', 'runs/update', { run_id: runId, status, end_time: this.now() });
  }

  async runningRuns(experimentId: string): Promise<{ runId: string; tags: Record<string, string> }[]> {
    const out: { runId: string; tags: Record<string, string> }[] = [];
    let page: string | undefined;
    do {
      const r = await this.json(SearchRuns, 'POST', 'runs/search', { experiment_ids: [experimentId], filter: "attributes.status = 'RUNNING'", max_results: 1000, ...(page ? { page_token: page } : {}) });
      for (const run of r.runs ?? []) out.push({ runId: run.info.run_id, tags: Object.fromEntries((run.data?.tags ?? []).map((t) => [t.key, t.value])) });
      page = r.next_page_token || undefined;
    } while (page);
    return out;
  }

  async createModelVersion(name: string, run: RunInfo, artifactPath: string, tags: KeyValue[]): Promise<ModelVersion> {
    checkName('model name', name);
    try {
      await this.json(z.object({}).passthrough(), 'POST', 'registered-models/create', { name });
    } catch (e) {
      if (!(e instanceof MlflowError) || e.mlflowCode !== 'RESOURCE_ALREADY_EXISTS') throw e;
    }
    const r = await this.json(VersionBody, 'POST', 'model-versions/create', { name, source: `${run.artifactUri}/${artifactPath}`, run_id: run.runId, tags });
    return toVersion(r.model_version);
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.json(z.object({}).passthrough(), 'POST', 'registered-models/alias', { name, alias, version });
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | null> {
    try {
      const r = await this.json(VersionBody, 'GET', `registered-models/alias?name=${encodeURIComponent(name)}&alias=${encodeURIComponent(alias)}`);
      return toVersion(r.model_version);
    } catch (e) {
      if (e instanceof MlflowError && (e.mlflowCode === 'RESOURCE_DOES_NOT_EXIST' || e.mlflowCode === 'INVALID_PARAMETER_VALUE')) return null;
      throw e;
    }
  }

  async readModelFile(version: ModelVersion, path: string): Promise<Buffer> {
    return this.download(version.source, path, `model ${version.name} v${version.version} has no file ${path}`);
  }

  async readArtifact(run: Pick<RunInfo, 'artifactUri'>, path: string): Promise<Buffer> {
    return this.download(run.artifactUri, path, `the run has no artifact ${path}`);
  }

  private async download(uri: string, path: string, missing: string): Promise<Buffer> {
    try {
      const res = await this.call('GET', this.proxyPath(uri, path));
      return Buffer.from(await res.arrayBuffer());
    } catch (e) {
      if (e instanceof MlflowError && e.status === 404) throw new NotFoundError(missing);
      throw e;
    }
  }

  async listModels(): Promise<string[]> {
    const out: string[] = [];
    let page: string | undefined;
    do {
      const r = await this.json(Models, 'GET', `registered-models/search?max_results=1000${page ? `&page_token=${encodeURIComponent(page)}` : ''}`);
      out.push(...(r.registered_models ?? []).map((m) => m.name));
      page = r.next_page_token || undefined;
    } while (page);
    return out.sort();
  }

  async listVersions(name: string): Promise<RegisteredVersion[]> {
    checkName('model name', name);
    // the version search leaves aliases out: they come from the registered model
    let aliases: { alias: string; version: string }[];
    try {
      aliases = (await this.json(Registered, 'GET', `registered-models/get?name=${encodeURIComponent(name)}`)).registered_model.aliases ?? [];
    } catch (e) {
      if (e instanceof MlflowError && e.mlflowCode === 'RESOURCE_DOES_NOT_EXIST') return [];
      throw e;
    }
    const out: RegisteredVersion[] = [];
    let page: string | undefined;
    do {
      const q = `filter=${encodeURIComponent(`name='${name.replace(/'/g, "''")}'`)}&max_results=200${page ? `&page_token=${encodeURIComponent(page)}` : ''}`;
      const r = await this.json(Versions, 'GET', `model-versions/search?${q}`);
      for (const v of r.model_versions ?? []) out.push({ ...toVersion(v), aliases: aliases.filter((a) => a.version === v.version).map((a) => a.alias).sort(), createdAt: v.creation_timestamp ?? 0 });
      page = r.next_page_token || undefined;
    } while (page);
    return out.sort((a, b) => Number(b.version) - Number(a.version));
  }

  async getRun(runId: string): Promise<RunDetail> {
    let r: z.infer<typeof RunGet>;
    try {
      r = await this.json(RunGet, 'GET', `runs/get?run_id=${encodeURIComponent(runId)}`);
    } catch (e) {
      if (e instanceof MlflowError && e.mlflowCode === 'RESOURCE_DOES_NOT_EXIST') throw new NotFoundError(`run ${runId} not found on ${this.location}`);
      throw e;
    }
    const { info, data } = r.run;
    const pairs = (list: z.infer<typeof Pairs>) => Object.fromEntries((list ?? []).map((p) => [p.key, p.value]));
    return {
      runId: info.run_id, experimentId: info.experiment_id, artifactUri: info.artifact_uri, runName: info.run_name ?? '', status: info.status, startTime: info.start_time, endTime: info.end_time ?? null,
      metrics: pairs(data?.metrics) as Record<string, number>, params: pairs(data?.params) as Record<string, string>, tags: pairs(data?.tags) as Record<string, string>,
    };
  }

  async close(): Promise<void> {}
}

function toVersion(v: z.infer<typeof Version>): ModelVersion {
  return { name: v.name, version: v.version, runId: v.run_id ?? '', source: v.source, tags: Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value])) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
