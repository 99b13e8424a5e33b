import { execFileSync } from 'node:child_process';
import { processGone, processTag } from '../core/atomic_fs';
import { isAppError } from '../core/errors';
import { faultPoint } from '../core/faults';
import type { Logger } from '../core/logger';
import { lakehouseId } from '../core/paths';
import { decidePromotion, VERSION_TAGS, type Decision } from './registry/promotion';
import { artifactSha, canonicalJson, MODEL_FILE, saveLocalModel } from './model_store';
import type { KeyValue, Metric, RunTracker } from './tracking/run_tracker';
import type { TrainContext, TrainedModel } from './trained';

export type Trainer = (ctx: TrainContext) => Promise<TrainedModel>;

export interface ModelOutcome {
  name: string;
  /** Where the artifact is kept on local disk whatever happens to tracking. */
  localPath: string;
  trained: TrainedModel;
  runId?: string;
  version?: string;
  decision?: Decision;
  /** True when the champion already is this exact artifact (no new version registered). */
  unchanged?: boolean;
  /** Why tracking or registration failed (the model is still at localPath). */
  trackingError?: string;
  seconds: number;
}

/** A model not trained because the lakehouse holds too little history for it. */
export interface SkippedModel {
  name: string;
  reason: string;
}

export interface TrainReport {
  outcomes: ModelOutcome[];
  skipped: SkippedModel[];
}

/** The git commit of the working tree, when there is one. */
export function gitCommit(cwd = process.cwd()): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

function runBatch(m: TrainedModel, now: number) {
  const metrics: Metric[] = Object.entries(m.metrics).map(([key, value]) => ({ key, value, timestamp: now, step: 0 }));
  for (const [key, values] of Object.entries(m.curves)) values.forEach((value, step) => metrics.push({ key, value, timestamp: now, step }));
  const params: KeyValue[] = Object.entries(m.params).map(([key, v]) => ({ key, value: String(v) }));
  return { metrics, params };
}

const PROCESS_TAG = 'fitlake.process';

/** Marks KILLED the experiment's RUNNING runs whose training process (on this host) is gone. */
async function closeKilledRuns(tracker: RunTracker, experimentId: string, logger: Logger): Promise<void> {
  for (const run of await tracker.runningRuns(experimentId)) {
    const tag = run.tags[PROCESS_TAG];
    if (!tag || !processGone(tag)) continue;
    await tracker.endRun(run.runId, 'KILLED');
    logger.warn({ run_id: run.runId }, 'run left RUNNING by a training process that is gone: marked KILLED');
  }
}

/** Logs the run, registers a version unless the champion is byte-identical, and applies the promotion rule. */
async function track(tracker: RunTracker, m: TrainedModel, json: string, baseTags: Record<string, string>, now: number, logger: Logger): Promise<Pick<ModelOutcome, 'runId' | 'version' | 'decision' | 'unchanged'>> {
  const sha = artifactSha(json);
  const champion = await tracker.getVersionByAlias(m.name, 'champion');
  const experiment = await tracker.experiment(`fitlake/${m.name}`);
  await closeKilledRuns(tracker, experiment, logger);
  const tags = Object.entries({ ...baseTags, ...m.tags, 'fitlake.data_version': m.artifact.dataVersion, 'fitlake.artifact_sha': sha, [PROCESS_TAG]: processTag() }).map(([key, value]) => ({ key, value }));
  const run = await tracker.startRun(experiment, `${m.name}-${m.artifact.dataVersion.slice(0, 8)}`, tags);
  faultPoint('train.after_start_run');
  try {
    await tracker.logBatch(run.runId, runBatch(m, now));
    await tracker.logArtifact(run, `model/${MODEL_FILE}`, json);
    for (const f of m.files) await tracker.logArtifact(run, f.path, f.content);
    await tracker.endRun(run.runId, 'FINISHED');
  } catch (e) {
    await tracker.endRun(run.runId, 'FAILED').catch(() => undefined);
    throw e;
  }
  if (champion?.tags[VERSION_TAGS.artifactSha] === sha) return { runId: run.runId, version: champion.version, unchanged: true, decision: { promote: false, reason: 'identical artifact; champion kept' } };
  const value = m.metrics[m.primary.metric];
  const versionTags = {
    [VERSION_TAGS.primaryMetric]: m.primary.metric,
    [VERSION_TAGS.primaryValue]: String(value),
    [VERSION_TAGS.better]: m.primary.better,
    [VERSION_TAGS.dataVersion]: m.artifact.dataVersion,
    [VERSION_TAGS.artifactSha]: sha,
    [VERSION_TAGS.gates]: m.gates.map((g) => `${g.passed ? 'pass' : 'FAIL'}: ${g.name}`).join('; '),
    [VERSION_TAGS.lakehouse]: baseTags[VERSION_TAGS.lakehouse],
  };
  const version = await tracker.createModelVersion(m.name, run, 'model', Object.entries(versionTags).map(([key, v]) => ({ key, value: v })));
  await tracker.setAlias(m.name, 'challenger', version.version);
  const decision = decidePromotion({ metric: m.primary.metric, value, better: m.primary.better, dataVersion: m.artifact.dataVersion, gates: m.gates }, champion);
  if (decision.promote) await tracker.setAlias(m.name, 'champion', version.version);
  return { runId: run.runId, version: version.version, decision };
}

/**
 * Trains each model in turn: artifact to local disk first, then the tracked run, registration and
 * promotion. A tracking failure is a warning (the model stays on disk); a model the data is too
 * small for is skipped with its reason (the others train); any other training failure is fatal.
 */
export async function trainModels(ctx: TrainContext, tracker: RunTracker, trainers: [string, Trainer][], clock: () => number = Date.now): Promise<TrainReport> {
  const commit = gitCommit();
  const baseTags: Record<string, string> = { 'mlflow.source.type': 'LOCAL', 'mlflow.source.name': 'fitlake train', 'fitlake.seed': String(ctx.seed), [VERSION_TAGS.lakehouse]: lakehouseId(ctx.lakehouse), ...(commit ? { 'mlflow.source.git.commit': commit } : {}) };
  const out: ModelOutcome[] = [];
  const skipped: SkippedModel[] = [];
  for (const [label, trainer] of trainers) {
    const t0 = clock();
    ctx.logger.info({ model: label }, 'training');
    const m = await trainer(ctx).catch((e: unknown) => {
      if (!isAppError(e) || e.code !== 'insufficient_data') throw e;
      skipped.push({ name: label, reason: e.message });
      ctx.logger.warn({ model: label, reason: e.message }, 'not enough data: model skipped, the others still train');
      return null;
    });
    if (!m) continue;
    const json = canonicalJson(m.artifact);
    const localPath = saveLocalModel(ctx.lakehouse, m.name, json, m.metrics);
    const outcome: ModelOutcome = { name: m.name, localPath, trained: m, seconds: 0 };
    try {
      Object.assign(outcome, await track(tracker, m, json, baseTags, clock(), ctx.logger));
    } catch (e) {
      outcome.trackingError = (e as Error).message;
      warn(ctx.logger, m.name, tracker, localPath, e);
    }
    outcome.seconds = (clock() - t0) / 1000;
    out.push(outcome);
  }
  return { outcomes: out, skipped };
}

function warn(logger: Logger, name: string, tracker: RunTracker, localPath: string, e: unknown): void {
  logger.warn({ model: name, tracking: tracker.location, err: (e as Error).message, kept: localPath }, 'tracking failed; the trained model is kept on local disk');
}
