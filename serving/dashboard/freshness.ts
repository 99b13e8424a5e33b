import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lakePaths } from '../../core/paths';
import { BronzeLog } from '../../pipelines/bronze/log';
import { qualityDir, readQualityRun } from '../../pipelines/quality/report';
import { TableStore } from '../../pipelines/runner/table_store';
import { MaterializationLog } from '../../features/materialize';
import type { RunTracker } from '../../training/tracking/run_tracker';

export interface LayerFreshness {
  layer: 'bronze' | 'silver' | 'gold' | 'features' | 'models';
  /** When the layer last changed (ISO), null when it never was built. */
  updated_at: string | null;
  /** Rows (bronze: all batches; silver/gold: current tables; features: entities written online by the last run). */
  rows: number | null;
  /** Tables, views or models. */
  items: number;
  detail: string;
}

export interface QualityStatus {
  run_id: string;
  started_at: string;
  outcome: 'passed' | 'warned' | 'failed';
  checks: number;
  failed: { table: string; description: string; severity: string; failing: number }[];
}

function layerTables(root: string, layer: 'silver' | 'gold'): LayerFreshness {
  const tables = Object.values(new TableStore(lakePaths(root)[layer]).snapshot());
  const updated = tables.map((t) => t.built_at).sort().at(-1) ?? null;
  return { layer, updated_at: updated, rows: tables.reduce((a, t) => a + t.rows, 0), items: tables.length, detail: `${tables.length} tables` };
}

/** Bronze's commit log, read once and then only its new commits (a stream commits every few seconds). */
export class BronzeFreshness {
  private log: BronzeLog | null = null;

  constructor(private readonly root: string) {}

  read(): LayerFreshness {
    if (this.log) this.log.refresh();
    else this.log = BronzeLog.load(lakePaths(this.root).bronzeLog);
    return bronze(this.log.commits);
  }
}

function bronze(commits: BronzeLog['commits']): LayerFreshness {
  const rows = commits.reduce((a, c) => a + c.outputs.reduce((b, o) => b + o.rows, 0), 0);
  return { layer: 'bronze', updated_at: commits.at(-1)?.committed_at ?? null, rows, items: commits.length, detail: `${commits.length} batches` };
}

function features(root: string): LayerFreshness {
  const last = new MaterializationLog(root).list().at(-1);
  if (!last) return { layer: 'features', updated_at: null, rows: null, items: 0, detail: 'never materialized' };
  const end = last.views.map((v) => v.end).sort().at(-1);
  return { layer: 'features', updated_at: last.finished_at, rows: last.views.reduce((a, v) => a + v.written, 0), items: last.views.length, detail: `${last.views.length} views to ${last.online_store}, data to ${end?.slice(0, 10) ?? '?'}` };
}

async function models(tracker: RunTracker): Promise<LayerFreshness> {
  const names = await tracker.listModels();
  const lists = await Promise.all(names.map((n) => tracker.listVersions(n)));
  const served = lists.filter((vs) => vs.some((v) => v.aliases.includes('champion'))).length;
  const newest = Math.max(0, ...lists.map((vs) => vs[0]?.createdAt ?? 0));
  return { layer: 'models', updated_at: newest ? new Date(newest).toISOString() : null, rows: null, items: names.length, detail: `${served} of ${names.length} with a champion` };
}

/** Each layer's last change, size and state: bronze's commit log, the layer manifests, the materialization log, the registry. */
export async function freshness(root: string, bronzeLog: BronzeFreshness, tracker: RunTracker): Promise<LayerFreshness[]> {
  return [bronzeLog.read(), layerTables(root, 'silver'), layerTables(root, 'gold'), features(root), await models(tracker)];
}

/** The latest pipeline run's data-quality results (null before any run). */
export function qualityStatus(root: string): QualityStatus | null {
  const dir = qualityDir(root);
  if (!existsSync(dir) || !readdirSync(dir).some((n) => existsSync(join(dir, n, 'results.json')))) return null;
  const run = readQualityRun(root);
  const failed = run.results.filter((r) => !r.passed).map((r) => ({ table: `${r.layer}.${r.table}`, description: r.description, severity: r.severity, failing: r.failing }));
  return { run_id: run.run_id, started_at: run.started_at, outcome: run.outcome, checks: run.results.length, failed };
}
