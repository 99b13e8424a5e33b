import { z } from 'zod';
import { ValidationError } from '../../core/errors';

export const RUN_STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One value of a metric; `step` orders training curves (0 for a single value). */
export const MetricSchema = z.object({ key: z.string(), value: z.number(), timestamp: z.number().int(), step: z.number().int() }).strict();
export type Metric = z.infer<typeof MetricSchema>;
export type KeyValue = { key: string; value: string };

/** What MLflow accepts in one log-batch call (mlflow/utils/validation.py). */
export const BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000, keyLength: 250, paramValue: 6000, tagValue: 8000 };

export interface RunInfo {
  runId: string;
  experimentId: string;
  /** Where the run's artifacts live: `file:///…/artifacts` or `mlflow-artifacts:/<exp>/<run>/artifacts`. */
  artifactUri: string;
}

export interface ModelVersion {
  name: string;
  /** MLflow versions are 1, 2, 3… per registered model, carried as strings like MLflow's API. */
  version: string;
  runId: string;
  /** URI of the model's artifact folder (inside the run's artifacts). */
  source: string;
  tags: Record<string, string>;
}

/** A registered version with the aliases that point at it (the registry's view of a model). */
export interface RegisteredVersion extends ModelVersion {
  aliases: string[];
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** What a run recorded: its state, the latest value of each metric, params and tags. */
export interface RunDetail extends RunInfo {
  runName: string;
  status: RunStatus;
  /** Milliseconds since the epoch (endTime null while running). */
  startTime: number;
  endTime: number | null;
  metrics: Record<string, number>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface LogBatch {
  metrics?: Metric[];
  params?: KeyValue[];
  tags?: KeyValue[];
}

/**
 * Where training runs and registered models are recorded, in MLflow's data model. Backends:
 * `file` (MLflow's file-store layout under ./mlruns, no server) and `mlflow` (a tracking server's
 * REST API). Experiment ids are strings (file-store ids exceed JS safe integers).
 */
export interface RunTracker {
  readonly type: 'file' | 'mlflow';
  /** Human-readable location (a folder or a URL) for logs and summaries. */
  readonly location: string;
  /** The id of the experiment called `name`, creating it if missing (safe against a concurrent create). */
  experiment(name: string): Promise<string>;
  /** Starts a RUNNING run in the experiment with the given tags. */
  startRun(experimentId: string, runName: string, tags: KeyValue[]): Promise<RunInfo>;
  /** Logs metrics, params and tags; splits into as many calls as MLflow's batch limits need. */
  logBatch(runId: string, batch: LogBatch): Promise<void>;
  /** Stores `content` at `path` (relative, `/`-separated) under the run's artifacts. */
  logArtifact(run: RunInfo, path: string, content: Buffer | string): Promise<void>;
  /** The names of the registered models, sorted. */
  listModels(): Promise<string[]>;
  /** Every version of the registered model `name`, newest first, with their aliases ([] when it is not registered). */
  listVersions(name: string): Promise<RegisteredVersion[]>;
  /** One run as recorded (NotFoundError when there is none). */
  getRun(runId: string): Promise<RunDetail>;
  /** A file under a run's artifacts (`path` relative, `/`-separated; NotFoundError when absent). */
  readArtifact(run: Pick<RunInfo, 'artifactUri'>, path: string): Promise<Buffer>;
  /** Marks the run ended with `status`. */
  endRun(runId: string, status: Exclude<RunStatus, 'RUNNING'>): Promise<void>;
  /** The experiment's runs still marked RUNNING, with their tags (to find those whose process died). */
  runningRuns(experimentId: string): Promise<{ runId: string; tags: Record<string, string> }[]>;
  /** Registers the model `name` if new and adds a version whose source is `artifactPath` in the run. */
  createModelVersion(name: string, run: RunInfo, artifactPath: string, tags: KeyValue[]): Promise<ModelVersion>;
  /** Points `alias` (e.g. champion, challenger) of model `name` at `version`. */
  setAlias(name: string, alias: string, version: string): Promise<void>;
  /** The version `alias` points at, or null when the model or the alias does not exist. */
  getVersionByAlias(name: string, alias: string): Promise<ModelVersion | null>;
  /** Reads the file `path` (relative to the version's source folder) of a registered version. */
  readModelFile(version: ModelVersion, path: string): Promise<Buffer>;
  /** Releases connections; the tracker is unusable afterwards. */
  close(): Promise<void>;
}

const NAME = /^[/\w.\- ]*$/;

/** Rejects names MLflow would refuse (keys, experiment and model names), naming the field. */
export function checkName(kind: string, name: string): void {
  if (!name || name.length > BATCH_LIMITS.keyLength || !NAME.test(name) || name.split('/').includes('..')) {
    throw new ValidationError(`invalid ${kind} "${name}": MLflow names are ≤ ${BATCH_LIMITS.keyLength} characters of letters, digits, _ - . / and spaces`, kind);
  }
}

/** Splits a batch into pieces MLflow accepts in one log-batch call, validating keys and value sizes. */
export function splitBatch(batch: LogBatch): LogBatch[] {
  const metrics = batch.metrics ?? [];
  const params = batch.params ?? [];
  const tags = batch.tags ?? [];
  metrics.forEach((m) => checkName('metric key', m.key));
  for (const p of params) {
    checkName('param key', p.key);
    if (p.value.length > BATCH_LIMITS.paramValue) throw new ValidationError(`param ${p.key} is ${p.value.length} characters; MLflow allows ${BATCH_LIMITS.paramValue}`, p.key);
  }
  for (const t of tags) if (t.value.length > BATCH_LIMITS.tagValue) throw new ValidationError(`tag ${t.key} is ${t.value.length} characters; MLflow allows ${BATCH_LIMITS.tagValue}`, t.key);
  const out: LogBatch[] = [];
  let mi = 0;
  let pi = 0;
  let ti = 0;
  while (mi < metrics.length || pi < params.length || ti < tags.length) {
    const p = params.slice(pi, pi + BATCH_LIMITS.params);
    const t = tags.slice(ti, ti + BATCH_LIMITS.tags);
    const m = metrics.slice(mi, mi + Math.min(BATCH_LIMITS.metrics, BATCH_LIMITS.total - p.length - t.length));
    out.push({ metrics: m, params: p, tags: t });
    mi += m.length;
    pi += p.length;
    ti += t.length;
  }
  return out;
}

/** MLflow's run ids: 32 lowercase hex characters. */
export function newRunId(random: () => string): string {
  return random().replace(/-/g, '').toLowerCase();
}
