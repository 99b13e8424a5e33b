import { ValidationError } from '../core/errors';
import { keySample } from '../pipelines/sql/sample';
import type { HistoricalFeatures } from './offline/offline_store';
import type { FeatureStore } from './store';

export interface ChurnSetOptions {
  /** Days after a snapshot in which a cancellation taking effect makes the label 1. */
  horizonDays?: number;
  /** Snapshots start once this many days of history exist (so 90-day windows are full). */
  minHistoryDays?: number;
  /** Feature service to join (default `churn`). */
  service?: string;
  /** Keep this share of members (a deterministic MD5 sample, all of a member's snapshots or none); default 1. */
  memberShare?: number;
}

/**
 * SQL of the churn entity rows (engine-neutral: snapshots at the gym's local midnight on the 1st of
 * each month, by the engine functions): one per member active at each monthly snapshot (joined before it,
 * no cancellation requested before it), with `label` = 1 when a cancellation takes effect within
 * `horizonDays` after the snapshot. Only snapshots whose whole horizon lies inside the data are
 * used, so every label is observed.
 */
export function churnEntitySql(opts: ChurnSetOptions): string {
  const horizon = opts.horizonDays ?? 30;
  const history = opts.minHistoryDays ?? 90;
  if (!Number.isInteger(horizon) || horizon < 1) throw new ValidationError('horizonDays must be a positive integer', 'horizonDays');
  if (!Number.isInteger(history) || history < 1) throw new ValidationError('minHistoryDays must be a positive integer', 'minHistoryDays');
  return `WITH bounds AS (SELECT min(date) AS first_day, max(date) AS last_day FROM member_daily_activity),
snapshots AS (
  SELECT t.snapshot_date
  FROM bounds, unnest(fitlake_month_steps(fitlake_add_months(date_trunc('month', first_day + ${history} - 1)::DATE, 1), last_day - ${horizon}, 1)) AS t(snapshot_date)
),
members AS (
  SELECT member_id, min(join_date) AS join_date, min(valid_from) FILTER (WHERE status = 'cancelled') AS ended_at FROM dim_member GROUP BY member_id
),
cancels AS (
  SELECT member_id, min(request_date) AS requested, min(effective_date) AS effective FROM cancellations GROUP BY member_id
)
SELECT
  m.member_id,
  fitlake_day_start(s.snapshot_date) AS event_timestamp,
  s.snapshot_date,
  (c.effective IS NOT NULL AND c.effective > s.snapshot_date AND c.effective <= s.snapshot_date + ${horizon})::INTEGER AS label
FROM snapshots s
JOIN members m ON m.join_date < s.snapshot_date
LEFT JOIN cancels c ON c.member_id = m.member_id
WHERE ${keySample('m.member_id', opts.memberShare ?? 1)}
  AND (c.requested IS NULL OR c.requested >= s.snapshot_date)
  AND (m.ended_at IS NULL OR m.ended_at > fitlake_day_start(s.snapshot_date))
ORDER BY s.snapshot_date, m.member_id`;
}

/** The churn training set: monthly snapshots × active members, label, and point-in-time features. */
export function churnTrainingSet(store: FeatureStore, opts: ChurnSetOptions): Promise<HistoricalFeatures> {
  return store.getHistoricalFeatures({ sql: churnEntitySql(opts) }, { service: opts.service ?? 'churn' });
}
