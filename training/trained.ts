import type { Config } from '../core/config';
import type { Logger } from '../core/logger';
import type { Progress } from '../core/progress';
import type { FeatureStore } from '../features/store';

/** One line of the end-of-training summary: a metric of the model beside its baseline and the truth. */
export interface SummaryLine {
  metric: string;
  model: number;
  baseline?: number;
  truth?: number;
  /** What "better" means for this metric. */
  better: 'higher' | 'lower';
}

/** A release gate the model must pass to become champion (thresholds written in the trainer). */
export interface Gate {
  name: string;
  passed: boolean;
  detail: string;
}

/** What a trainer hands back: a self-contained artifact and everything the run log needs. */
export interface TrainedModel {
  /** Registered model name (champion/challenger aliases live under it). */
  name: string;
  /** The model artifact (JSON, validated by its kind's zod schema when loaded). */
  artifact: { kind: string; dataVersion: string } & Record<string, unknown>;
  params: Record<string, string | number | boolean>;
  metrics: Record<string, number>;
  /** Training curves: metric key → values by step. */
  curves: Record<string, number[]>;
  tags: Record<string, string>;
  /** Extra files logged with the run (evaluation JSON, SVG plots). */
  files: { path: string; content: string }[];
  /** The metric promotion compares, and its direction. */
  primary: { metric: string; better: 'higher' | 'lower' };
  gates: Gate[];
  summary: SummaryLine[];
}

/** What every trainer gets: the feature store, the lakehouse root, a seed and side effects passed in. */
export interface TrainContext {
  store: FeatureStore;
  lakehouse: string;
  timezone: string;
  seed: number;
  /** DuckDB settings for trainers that read silver/gold directly. */
  duckdb: Config['duckdb'];
  logger: Logger;
  progress: Progress;
}

export function gate(name: string, passed: boolean, detail: string): Gate {
  return { name, passed, detail };
}
