import { createHash } from 'node:crypto';
import { SkewError, ValidationError } from '../core/errors';
import type { FeatureStore } from './store';

export interface SkewMismatch {
  view: string;
  key: string;
  feature: string;
  online: unknown;
  offline: unknown;
}

export interface SkewReport {
  views: { view: string; end: string; checked: number; mismatches: number }[];
  mismatches: SkewMismatch[];
  passed: boolean;
}

const same = (a: unknown, b: unknown) => a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

/**
 * Training/serving skew check. For a deterministic sample of entities of each materialized view,
 * compares the online store's stored vector with the offline store's point-in-time vector at the
 * view's last materialization end (what materialization should have pushed). Any difference —
 * a value, a missing key — is reported.
 */
export async function checkSkew(store: FeatureStore, opts: { sample: number; views?: string[]; seed?: number }): Promise<SkewReport> {
  if (!Number.isInteger(opts.sample) || opts.sample < 1) throw new ValidationError('sample must be a positive integer', 'sample');
  const registry = store.registry();
  const views = registry.views.filter((v) => v.online && (!opts.views || opts.views.includes(v.name)));
  const report: SkewReport = { views: [], mismatches: [], passed: true };
  for (const view of views) {
    const end = store.log.lastEnd(view.name);
    if (!end) {
      if (opts.views) throw new ValidationError(`feature view ${view.name} was never materialized`, 'views');
      continue;
    }
    const entity = registry.entities.find((e) => e.name === view.entities[0])!;
    const { rows: latest } = await store.offline.latest(view, entity.joinKey, new Date(0), end);
    const rank = (k: string) => createHash('sha1').update(`${opts.seed ?? 0}:${k}`).digest('hex');
    const keys = latest.map((r) => r.key).sort((a, b) => (rank(a) < rank(b) ? -1 : 1)).slice(0, opts.sample);
    if (keys.length === 0) continue;
    const names = view.schema.map((f) => f.name);
    const [online] = await store.online.read(entity.name, [{ view: view.name, names }], keys);
    const hist = await store.getHistoricalFeatures({ rows: keys.map((k) => ({ [entity.joinKey]: k, event_timestamp: end.toISOString() })) }, { features: [view.name] }, { ignoreTtl: true });
    const offline = await hist.rows();
    await hist.close();
    let bad = 0;
    keys.forEach((key, i) => {
      for (const name of names) {
        const on = online[i] ? (online[i]!.values[name] ?? null) : undefined;
        const off = offline[i][name] ?? null;
        if (on === undefined || !same(on, off)) {
          bad++;
          report.mismatches.push({ view: view.name, key, feature: name, online: on ?? 'NOT_FOUND', offline: off });
        }
      }
    });
    report.views.push({ view: view.name, end: end.toISOString(), checked: keys.length, mismatches: bad });
  }
  report.passed = report.mismatches.length === 0;
  return report;
}

/** Throws SkewError (exit code 7) describing the first differences when the check failed. */
export function assertNoSkew(report: SkewReport): void {
  if (report.passed) return;
  const first = report.mismatches.slice(0, 5).map((m) => `${m.view}:${m.feature} for ${m.key}: online ${JSON.stringify(m.online)} ≠ offline ${JSON.stringify(m.offline)}`);
  throw new SkewError(`training/serving skew: ${report.mismatches.length} differing value(s)\n  ${first.join('\n  ')}`);
}
