import { EntityReader } from '../features/online/entity_reader';
import { RedisOnlineStore } from '../features/online/redis_online_store';
import { Rng } from '../pipelines/data_gen/rng';
import { startRedis } from '../tests/integration/redis_server';
import { key, selections, syntheticRows } from './online_embedded';
import { percentile } from './stats';

const MEMBERS = 100_000;
const RATE = 5_000;
const SECONDS = 5;
const CONCURRENCY = 32;
const T0 = Date.parse('2026-01-01T05:00:00Z');

interface Load {
  mode: string;
  autoPipelining: boolean;
  reads: number;
  readsPerSec: number;
  /** From each read's due time (steady) or call (callers). */
  p50Ms: number;
  p99Ms: number;
  /** Steady only: from each read's call to its result. */
  callP99Ms?: number;
}

/**
 * Open loop: a read of a random member due every 1/RATE s for `seconds`, never issued before it is
 * due; each timed from its due time (queueing and the generator's lateness included) and from its call.
 */
async function steady(reader: EntityReader, rng: Rng, now: Date, seconds = SECONDS): Promise<{ due: number[]; call: number[] }> {
  const due: number[] = [];
  const call: number[] = [];
  const pending: Promise<void>[] = [];
  const total = RATE * seconds;
  const start = performance.now();
  for (let i = 0; i < total; ) {
    const t = performance.now();
    for (; i < total && start + (i * 1000) / RATE <= t; i++) {
      const at = start + (i * 1000) / RATE;
      const called = performance.now();
      pending.push(reader.read([key(rng.int(MEMBERS))], now).then(() => {
        const end = performance.now();
        due.push(end - at);
        call.push(end - called);
      }));
    }
    const wait = start + (i * 1000) / RATE - performance.now();
    await new Promise((r) => (wait > 2 ? setTimeout(r, wait - 1) : setImmediate(r)));
  }
  await Promise.all(pending);
  return { due, call };
}

/** Closed loop: CONCURRENCY callers reading back to back for SECONDS. */
async function saturated(reader: EntityReader, rng: Rng, now: Date): Promise<number[]> {
  const ms: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await reader.read([key(rng.int(MEMBERS))], now);
        ms.push(performance.now() - t);
      }
    }),
  );
  return ms;
}

/**
 * `npm run bench -- --only online_redis`: one member's churn-service features (45) read from a
 * real redis-server on 127.0.0.1 under load, with and without ioredis auto-pipelining: a steady
 * 5,000 reads/s (latency from each read's due time, after a 2 s warm-up) and 32 callers back to back.
 * Target (#18): p99 ≤ 1 ms under the steady load.
 */
export async function onlineRedis(): Promise<Record<string, unknown>> {
  const redis = await startRedis();
  try {
    const writer = new RedisOnlineStore({ host: '127.0.0.1', port: redis.port, keyPrefix: 'bench:' });
    const rng = new Rng(42);
    for (const s of selections()) await writer.write(s.view.name, s.entity.name, s.view.schema.map((f) => f.name), syntheticRows(s, rng, 0, MEMBERS));
    await writer.close();
    const rows: Load[] = [];
    const now = new Date(T0 + 3_600_000);
    for (const autoPipelining of [false, true]) {
      const store = new RedisOnlineStore({ host: '127.0.0.1', port: redis.port, keyPrefix: 'bench:', autoPipelining });
      const reader = new EntityReader(store, selections());
      for (let i = 0; i < 2_000; i++) await reader.read([key(i)], now);
      await steady(reader, new Rng(1), now, 2); // warm-up at the steady rate, not measured
      const s = await steady(reader, new Rng(7), now);
      rows.push({ mode: `steady ${RATE}/s`, autoPipelining, reads: s.due.length, readsPerSec: s.due.length / SECONDS, p50Ms: percentile(s.due, 50), p99Ms: percentile(s.due, 99), callP99Ms: percentile(s.call, 99) });
      const ms = await saturated(reader, new Rng(7), now);
      rows.push({ mode: `${CONCURRENCY} callers`, autoPipelining, reads: ms.length, readsPerSec: ms.length / SECONDS, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99) });
      await store.close();
    }
    console.table(rows.map((r) => ({ ...r, readsPerSec: Math.round(r.readsPerSec), p50Ms: r.p50Ms.toFixed(3), p99Ms: r.p99Ms.toFixed(3), callP99Ms: r.callP99Ms?.toFixed(3) ?? '' })));
    const steadyOn = rows.find((r) => !r.autoPipelining && r.mode.startsWith('steady'))!;
    console.log(`target: p99 ≤ 1 ms at a steady ${RATE} reads/s (from each read's due time, auto-pipelining off: the default) → ${steadyOn.p99Ms <= 1 ? 'met' : 'NOT met'} (${steadyOn.p99Ms.toFixed(3)} ms; from the call ${steadyOn.callP99Ms!.toFixed(3)} ms)`);
    return { benchmark: 'online_redis', members: MEMBERS, features: 45, rows, targets: { steadyP99Ms: 1 } };
  } finally {
    await redis.stop();
  }
}
