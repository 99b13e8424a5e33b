import { VERSION_TAGS } from '../../training/registry/promotion';
import type { RegisteredVersion, RunDetail, RunTracker } from '../../training/tracking/run_tracker';

/** Plots training logs as run artifacts (SVG), looked for on each model's champion and challenger. */
export const PLOT_PATHS = ['plots/roc.svg', 'plots/calibration.svg'];

export interface VersionView {
  version: string;
  aliases: string[];
  created_at: string;
  run_id: string;
  run_name: string | null;
  status: string | null;
  primary_metric: string | null;
  primary_value: number | null;
  gates: string | null;
}

export interface ModelView {
  name: string;
  versions: VersionView[];
  /** Champion and challenger runs' metrics side by side (latest values), when either exists. */
  compare: { metric: string; champion: number | null; challenger: number | null }[];
  champion: string | null;
  challenger: string | null;
  /** Plot URLs (under /ui/data/plots/…) of the champion's, else the challenger's, run. */
  plots: { title: string; url: string }[];
}

async function runOf(tracker: RunTracker, v: RegisteredVersion | undefined): Promise<RunDetail | null> {
  if (!v) return null;
  return tracker.getRun(v.runId).catch(() => null);
}

async function plotsOf(tracker: RunTracker, name: string, v: RegisteredVersion | undefined, run: RunDetail | null) {
  if (!v || !run) return [];
  const found = await Promise.all(PLOT_PATHS.map((p) => tracker.readArtifact(run, p).then(() => p, () => null)));
  return found.filter((p): p is string => p !== null).map((p) => ({ title: p.replace(/^plots\/|\.svg$/g, ''), url: `/ui/data/plots/${encodeURIComponent(name)}/${v.version}/${p.replace(/^plots\//, '')}` }));
}

async function modelView(tracker: RunTracker, name: string): Promise<ModelView> {
  const versions = await tracker.listVersions(name);
  const champion = versions.find((v) => v.aliases.includes('champion'));
  const challenger = versions.find((v) => v.aliases.includes('challenger'));
  const runs = new Map(await Promise.all(versions.slice(0, 20).map(async (v) => [v.version, await runOf(tracker, v)] as const)));
  const [a, b] = [champion && runs.get(champion.version), challenger && runs.get(challenger.version)];
  const keys = [...new Set([...Object.keys(a?.metrics ?? {}), ...Object.keys(b?.metrics ?? {})])].sort();
  return {
    name,
    champion: champion?.version ?? null,
    challenger: challenger?.version ?? null,
    compare: keys.map((metric) => ({ metric, champion: finite(a?.metrics[metric]), challenger: finite(b?.metrics[metric]) })),
    plots: await plotsOf(tracker, name, champion ?? challenger, (a ?? b) || null),
    versions: versions.map((v) => {
      const run = runs.get(v.version) ?? null;
      return {
        version: v.version, aliases: v.aliases, created_at: new Date(v.createdAt).toISOString(), run_id: v.runId, run_name: run?.runName ?? null, status: run?.status ?? null,
        primary_metric: v.tags[VERSION_TAGS.primaryMetric] ?? null, primary_value: finite(Number(v.tags[VERSION_TAGS.primaryValue])), gates: v.tags[VERSION_TAGS.gates] ?? null,
      };
    }),
  };
}

const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);

/** Every registered model: versions with their runs, champion vs challenger metrics and plots. */
export async function modelsView(tracker: RunTracker): Promise<{ tracking: { type: string; location: string; ui: string | null }; models: ModelView[] }> {
  const names = await tracker.listModels();
  return {
    tracking: { type: tracker.type, location: tracker.location, ui: tracker.type === 'mlflow' ? `${tracker.location.replace(/\/$/, '')}/#/models` : null },
    models: await Promise.all(names.map((n) => modelView(tracker, n))),
  };
}
