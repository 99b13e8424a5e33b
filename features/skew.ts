import { createHash } from 'node:crypto';
import { SkewError, ValidationError } from '../core/errors';
import type { Entity, FeatureView } from './define';
import type { StoredRow } from './online/online_store';
import type { FeatureStore } from './store';

export interface SkewMismatch {
  view: string;
  key: string;
  feature: string;
  online: unknown;
  offline: unknown;
}

export interface SkewViewReport {
  view: string;
  /** The window the online store should cover: every entity with a value in [start, end]. */
  start: string;
  end: string;
  /** Entities expected online (a value in the window). */
  expected: number;
  /** Of those, the sample compared value by value. */
  checked: number;
  /** Values that differ between the online store and the offline point-in-time vector. */
  mismatches: number;
  /** Sampled entities expected online but absent from it. */
  missing: number;
}

export interface SkewReport {
  views: SkewViewReport[];
  mismatches: SkewMismatch[];
  /** Sampled entities (view, key) the materialized window covers but the online store lacks. */
  missing: { view: string; key: string }[];
  passed: boolean;
}

const same = (a: unknown, b: unknown) => a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

/**
 * Training/serving skew check. For each materialized online view, takes the entities the online
 * store should hold (a value inside the window its materializations into this store type covered;
 * former members whose last value is older are not expected), compares a deterministic sample of
 * them value by value with the offline point-in-time vector at the window's end, and reports
 * sampled entities missing online separately from differing values. Either fails the check.
 * A streaming view (kept online by `fitlake stream`) is compared now: its offline table is rebuilt
 * from bronze when stale, and each sampled member with a value since its materialized window began
 * must have an online row equal to its offline point-in-time row as of when that row was written (the
 * window's end for a materialized row; when it was never materialized, only the members the stream
 * wrote are compared).
 */
export async function checkSkew(store: FeatureStore, opts: { sample: number; views?: string[]; seed?: number }): Promise<SkewReport> {
  if (!Number.isInteger(opts.sample) || opts.sample < 1) throw new ValidationError('sample must be a positive integer', 'sample');
  const registry = store.registry();
  const views = registry.views.filter((v) => v.online && (!opts.views || opts.views.includes(v.name)));
  const report: SkewReport = { views: [], mismatches: [], missing: [], passed: true };
  for (const view of views) {
    const window = store.log.window(view.name, store.online.type);
    const entity = registry.entities.find((e) => e.name === view.entities[0])!;
    if (view.source.kind === 'stream') {
      // kept online by the stream as events arrive: compare with the offline values now, over bronze as it is now
      await store.build({ views: [view.name] });
      const end = window?.end ?? new Date(0);
      // a row the stream wrote is checked as of when it was written; one materialization wrote, as of the window's end
      const asOf = (row: StoredRow) => new Date(Math.max(end.getTime(), row.createdTs));
      report.views.push(await checkView(store, view, entity, { start: window?.start ?? new Date(0), end: new Date() }, opts, report, { requireOnline: window !== null, asOf }));
      continue;
    }
    if (!window) {
      if (opts.views) throw new ValidationError(`feature view ${view.name} was never materialized into the ${store.online.type} online store`, 'views');
      continue;
    }
    report.views.push(await checkView(store, view, entity, window, opts, report, { requireOnline: true }));
  }
  report.passed = report.mismatches.length === 0 && report.missing.length === 0;
  return report;
}

/**
 * Compares a sample of the entities with a value in `window` online and offline at its end (or at
 * `asOf` of the online row); `requireOnline`: one absent online is reported missing (else skipped).
 */
async function checkView(
  store: FeatureStore,
  view: FeatureView,
  entity: Entity,
  window: { start: Date; end: Date },
  opts: { sample: number; seed?: number },
  report: SkewReport,
  how: { requireOnline: boolean; asOf?: (row: StoredRow) => Date },
): Promise<SkewViewReport> {
  const { rows: expected } = await store.offline.latest(view, entity.joinKey, window.start, window.end);
  const rank = (k: string) => createHash('sha1').update(`${opts.seed ?? 0}:${k}`).digest('hex');
  const keys = expected.map((r) => r.key).sort((a, b) => (rank(a) < rank(b) ? -1 : 1)).slice(0, opts.sample);
  const out: SkewViewReport = { view: view.name, start: window.start.toISOString(), end: window.end.toISOString(), expected: expected.length, checked: keys.length, mismatches: 0, missing: 0 };
  if (keys.length === 0) return out;
  const names = view.schema.map((f) => f.name);
  const [online] = await store.online.read(entity.name, [{ view: view.name, names }], keys);
  const at = (i: number) => (how.asOf && online[i] ? how.asOf(online[i]!) : window.end).toISOString();
  const hist = await store.getHistoricalFeatures({ rows: keys.map((k, i) => ({ [entity.joinKey]: k, event_timestamp: at(i) })) }, { features: [view.name] }, { ignoreTtl: true });
  const offline = await hist.rows();
  await hist.close();
  keys.forEach((key, i) => {
    if (!online[i]) {
      if (!how.requireOnline) return;
      out.missing++;
      report.missing.push({ view: view.name, key });
      return;
    }
    for (const name of names) {
      const on = online[i]!.values[name] ?? null;
      const off = offline[i][name] ?? null;
      if (!same(on, off)) {
        out.mismatches++;
        report.mismatches.push({ view: view.name, key, feature: name, online: on, offline: off });
      }
    }
  });
  return out;
}

/** Throws SkewError (exit code 7) describing the first differences when the check failed. */
export function assertNoSkew(report: SkewReport): void {
  if (report.passed) return;
  const lines = [
    ...report.mismatches.slice(0, 5).map((m) => `${m.view}:${m.feature} for ${m.key}: online ${JSON.stringify(m.online)} ≠ offline ${JSON.stringify(m.offline)}`),
    ...report.missing.slice(0, 5).map((m) => `${m.view}: ${m.key} has a value in the materialized window but is not in the online store`),
  ];
  throw new SkewError(`training/serving skew: ${report.mismatches.length} differing value(s), ${report.missing.length} entity(ies) missing online\n  ${lines.join('\n  ')}`);
}
