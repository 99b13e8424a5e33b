import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFINITIONS } from '../features/definitions';
import { EMBEDDED_FILE, EmbeddedOnlineStore } from '../features/online/embedded_online_store';
import { EntityReader } from '../features/online/entity_reader';
import type { LatestRow } from '../features/offline/offline_store';
import { resolveFeatures } from '../features/refs';
import { Rng } from '../pipelines/data_gen/rng';
import { percentile } from './stats';

const MEMBERS = 1_000_000;
const READS = 20_000;
const T0 = Date.parse('2026-01-01T05:00:00Z');
export const key = (i: number) => `M${String(i).padStart(7, '0')}`;

/** The churn service's views, as the store resolves them: what serving reads for one prediction. */
export const selections = () => resolveFeatures(DEFINITIONS, { service: 'churn' });

/** One synthetic row per member for `view`, values by declared type (deterministic). */
export function syntheticRows(view: ReturnType<typeof selections>[number], rng: Rng, from: number, to: number): LatestRow[] {
  const out: LatestRow[] = [];
  for (let i = from; i < to; i++) {
    const values = view.view.schema.map((f) => (f.type === 'string' ? `v${rng.int(6)}` : f.type === 'int' ? rng.int(60) : Math.round(rng.next() * 1e4) / 100));
    out.push({ key: key(i), featureTs: new Date(T0), createdTs: new Date(T0), values });
  }
  return out;
}

/** Materializes 1,000,000 members into an embedded store at `dir`, view by view in chunks of 250,000 (the offline store's batches). */
async function materialize(dir: string): Promise<{ seconds: number; perView: { view: string; features: number; seconds: number }[] }> {
  const store = new EmbeddedOnlineStore(dir);
  const rng = new Rng(42);
  const perView: { view: string; features: number; seconds: number }[] = [];
  const t0 = process.hrtime.bigint();
  for (const s of selections()) {
    const v0 = process.hrtime.bigint();
    for (let from = 0; from < MEMBERS; from += 250_000) {
      await store.write(s.view.name, s.entity.name, s.view.schema.map((f) => f.name), syntheticRows(s, rng, from, Math.min(MEMBERS, from + 250_000)));
    }
    perView.push({ view: s.view.name, features: s.view.schema.length, seconds: Number(process.hrtime.bigint() - v0) / 1e9 });
  }
  await store.close();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, perView };
}

/** In a fresh process (as serving is): random single-member reads of the churn service, latency per read and the process's RSS. */
async function serveReads(dir: string): Promise<{ p50Ms: number; p99Ms: number; maxMs: number; rssMb: number; features: number }> {
  const store = new EmbeddedOnlineStore(dir);
  const reader = new EntityReader(store, selections());
  const rng = new Rng(7);
  const now = new Date(T0 + 3_600_000);
  for (let i = 0; i < 2_000; i++) await reader.read([key(rng.int(MEMBERS))], now);
  const ms: number[] = [];
  let features = 0;
  for (let i = 0; i < READS; i++) {
    const t = process.hrtime.bigint();
    const [f] = await reader.read([key(rng.int(MEMBERS))], now);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    features = Object.keys(f.values).length;
  }
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  await store.close();
  ms.sort((a, b) => a - b);
  return { p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: ms.at(-1)!, rssMb, features };
}

/**
 * `npm run bench -- --only online_embedded`: the embedded online store (LMDB) with 1,000,000 synthetic
 * members × the churn service's features: materialize time, then in a separate process (as serving)
 * the latency of one member's read of every feature and the process's RSS. Targets (#18): ≤ 60 s,
 * p99 ≤ 0.1 ms, ≤ 1 GB.
 */
export async function onlineEmbedded(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'fitlake-bench-online-'));
  try {
    const written = await materialize(dir);
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(__filename)}).serveReadsMain(${JSON.stringify(dir)})`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the reading process failed: ${r.stderr}`);
    const reads = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Awaited<ReturnType<typeof serveReads>>;
    const fileMb = statSync(join(dir, EMBEDDED_FILE)).size / 2 ** 20;
    const rows = [{ members: MEMBERS, features: reads.features, materializeSeconds: written.seconds, fileMb, readP50Ms: reads.p50Ms, readP99Ms: reads.p99Ms, readMaxMs: reads.maxMs, servingRssMb: reads.rssMb }];
    console.table(written.perView.map((v) => ({ ...v, seconds: v.seconds.toFixed(1) })));
    console.table(rows.map((x) => ({ ...x, materializeSeconds: x.materializeSeconds.toFixed(1), fileMb: Math.round(x.fileMb), readP50Ms: x.readP50Ms.toFixed(4), readP99Ms: x.readP99Ms.toFixed(4), readMaxMs: x.readMaxMs.toFixed(2), servingRssMb: Math.round(x.servingRssMb) })));
    const targets = { materializeSeconds: 60, readP99Ms: 0.1, servingRssMb: 1024 };
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(`targets: materialize ≤ 60 s → ${met(written.seconds <= 60)}; read p99 ≤ 0.1 ms → ${met(reads.p99Ms <= 0.1)}; serving RSS ≤ 1 GB → ${met(reads.rssMb <= 1024)}`);
    return { benchmark: 'online_embedded', rows, perView: written.perView, targets };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Entry of the reading process: prints its measurements as one JSON line. */
export async function serveReadsMain(dir: string): Promise<void> {
  process.stdout.write(JSON.stringify(await serveReads(dir)) + '\n');
}
