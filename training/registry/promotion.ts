import type { ModelVersion } from '../tracking/run_tracker';
import type { Gate } from '../trained';

/** Tags every registered version carries, so the promotion rule can compare without re-reading runs. */
export const VERSION_TAGS = {
  primaryMetric: 'fitlake.primary_metric',
  primaryValue: 'fitlake.primary_value',
  better: 'fitlake.better',
  dataVersion: 'fitlake.data_version',
  artifactSha: 'fitlake.artifact_sha',
  gates: 'fitlake.gates',
  /** The identity of the lakehouse the model was trained on (`core/paths.ts` lakehouseId). */
  lakehouse: 'fitlake.lakehouse_id',
} as const;

/** How far a challenger measured on newer data may trail the champion's older figure, per primary metric. */
export const NEW_DATA_TOLERANCE: Record<string, number> = { roc_auc: 0.01, ndcg_at_10: 0.01, mase: 0.02, silhouette: 0.02, macro_f1: 0.01, mae: 5 };

export interface Challenger {
  metric: string;
  value: number;
  better: 'higher' | 'lower';
  dataVersion: string;
  gates: Gate[];
}

export interface Decision {
  promote: boolean;
  reason: string;
}

/**
 * The promotion rule. A challenger becomes champion when:
 * 1. it passes every release gate of its trainer (otherwise never), and
 * 2. there is no champion, or the champion's recorded primary metric is a different metric, or
 * 3. both were evaluated on the same data version and the challenger is strictly better (a tie keeps the champion), or
 * 4. the data changed (the champion's figure is from older data) and the challenger is no worse than it by more
 *    than NEW_DATA_TOLERANCE — fresher data wins unless its model is clearly worse.
 */
export function decidePromotion(challenger: Challenger, champion: ModelVersion | null): Decision {
  const failed = challenger.gates.filter((g) => !g.passed);
  if (failed.length > 0) return { promote: false, reason: `failed gates: ${failed.map((g) => `${g.name} (${g.detail})`).join('; ')}` };
  if (!Number.isFinite(challenger.value)) return { promote: false, reason: `${challenger.metric} is not a finite number` };
  if (!champion) return { promote: true, reason: 'no champion yet' };
  const recorded = Number(champion.tags[VERSION_TAGS.primaryValue]);
  if (champion.tags[VERSION_TAGS.primaryMetric] !== challenger.metric || !Number.isFinite(recorded)) {
    return { promote: true, reason: `champion v${champion.version} has no comparable ${challenger.metric}` };
  }
  const gain = challenger.better === 'higher' ? challenger.value - recorded : recorded - challenger.value;
  const fmt = (v: number) => v.toFixed(4);
  if (champion.tags[VERSION_TAGS.dataVersion] === challenger.dataVersion) {
    return gain > 0
      ? { promote: true, reason: `${challenger.metric} ${fmt(challenger.value)} beats champion v${champion.version}'s ${fmt(recorded)} on the same data` }
      : { promote: false, reason: `${challenger.metric} ${fmt(challenger.value)} does not beat champion v${champion.version}'s ${fmt(recorded)} on the same data` };
  }
  const tolerance = NEW_DATA_TOLERANCE[challenger.metric] ?? 0;
  return gain >= -tolerance
    ? { promote: true, reason: `newer data; ${challenger.metric} ${fmt(challenger.value)} within ${tolerance} of champion v${champion.version}'s ${fmt(recorded)}` }
    : { promote: false, reason: `newer data but ${challenger.metric} ${fmt(challenger.value)} trails champion v${champion.version}'s ${fmt(recorded)} by more than ${tolerance}` };
}
