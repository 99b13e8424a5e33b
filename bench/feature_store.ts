import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLake } from './lake';
import { peerPython } from './peers/python_env';

/**
 * Feature store vs Feast 0.67 (DuckDB offline store, Redis online store) on the same offline tables
 * and entity rows: point-in-time retrieval (100k rows × the churn service), materialization of every
 * member, online reads per member. `FITLAKE_BENCH_LAKE=DIR` reuses a built lakehouse.
 */
export function featureStore(scale: string): Record<string, unknown> {
  const python = peerPython(['feast[redis,duckdb]==0.67.0'], 'feast');
  const reuse = process.env.FITLAKE_BENCH_LAKE;
  const root = reuse ?? mkdtempSync(join(tmpdir(), 'fitlake-bench-'));
  try {
    if (!reuse) buildLake(root, scale);
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'feature_phase.ts'), root, python], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    const pit = [...r.pitSeconds].sort((a: number, b: number) => a - b)[1];
    const rows = [
      { measure: `point-in-time retrieval, ${r.entityRows} rows × ${r.features} features (s)`, fitlake: pit, feast: r.feast.pit_seconds, ratio: r.feast.pit_seconds / pit },
      { measure: `materialize ${r.members} members, 5 views → Redis (s)`, fitlake: r.materializeRedis, feast: r.feast.materialize_seconds, ratio: r.feast.materialize_seconds / r.materializeRedis },
      { measure: 'materialize → embedded (s)', fitlake: r.materializeEmbedded, feast: null, ratio: null },
      { measure: 'online read p50, Redis (ms)', fitlake: r.redis.p50, feast: r.feast.online_p50_ms, ratio: r.feast.online_p50_ms / r.redis.p50 },
      { measure: 'online read p99, Redis (ms)', fitlake: r.redis.p99, feast: r.feast.online_p99_ms, ratio: r.feast.online_p99_ms / r.redis.p99 },
      { measure: 'online read p50, embedded (ms)', fitlake: r.embedded.p50, feast: null, ratio: null },
      { measure: 'online read p99, embedded (ms)', fitlake: r.embedded.p99, feast: null, ratio: null },
      { measure: 'offline tables build, all views (s)', fitlake: r.buildSeconds, feast: null, ratio: null },
    ];
    console.table(rows.map((x) => ({ ...x, fitlake: x.fitlake.toFixed(4), feast: x.feast === null ? '' : x.feast.toFixed(4), ratio: x.ratio === null ? '' : `${x.ratio.toFixed(1)}×` })));
    const targets = { pitSpeedup: 10, embeddedP99Ms: 0.1, redisP99Ms: 1 };
    console.log(
      `targets: point-in-time ≥ 10× Feast → ${rows[0].ratio! >= 10 ? 'met' : 'NOT met'}; embedded p99 ≤ 0.1 ms → ${r.embedded.p99 <= 0.1 ? 'met' : 'NOT met'}; Redis p99 ≤ 1 ms → ${r.redis.p99 <= 1 ? 'met' : 'NOT met'}`,
    );
    return { benchmark: 'feature_store', scale, rows, raw: r, targets };
  } finally {
    if (!reuse) rmSync(root, { recursive: true, force: true });
  }
}
