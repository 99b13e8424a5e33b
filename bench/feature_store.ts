import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { holdBackDays, phase } from './lake';
import { peerPython } from './peers/python_env';

/**
 * Feature store vs Feast 0.67 (DuckDB offline store, Redis online store) on the same offline rows and
 * entity rows: point-in-time retrieval (100k rows × the churn service), materialization of every
 * member, online reads per member; then fitlake's offline build from scratch and after each of two
 * new days. The lakehouse is built with its last two days held back (`FITLAKE_BENCH_LAKE=DIR`
 * reuses that lakehouse's landing files instead of generating them).
 */
export function featureStore(scale: string): Record<string, unknown> {
  const python = peerPython(['feast[redis,duckdb]==0.67.0'], 'feast');
  const reuse = process.env.FITLAKE_BENCH_LAKE;
  const root = mkdtempSync(join(tmpdir(), 'fitlake-bench-'));
  try {
    if (reuse) for (const d of ['landing', '_truth']) cpSync(join(reuse, d), join(root, d), { recursive: true });
    else phase('generate', root, scale);
    const held = holdBackDays(root, 2);
    phase('ingest', root, scale);
    phase('pipeline-full', root, scale);
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'feature_phase.ts'), root, python, held.join(',')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    const pit = [...r.pitSeconds].sort((a: number, b: number) => a - b)[1];
    const [day1, day2] = r.dayBuilds as { day: string; seconds: number; spineSeconds: number; written: number }[];
    const rows = [
      { measure: `point-in-time retrieval, ${r.entityRows} rows × ${r.features} features (s)`, fitlake: pit, feast: r.feast.pit_seconds, ratio: r.feast.pit_seconds / pit },
      { measure: `materialize ${r.members} members, 5 views → Redis (s)`, fitlake: r.materializeRedis, feast: r.feast.materialize_seconds, ratio: r.feast.materialize_seconds / r.materializeRedis },
      { measure: 'materialize → embedded (s)', fitlake: r.materializeEmbedded, feast: null, ratio: null },
      { measure: 'online read p50, Redis (ms)', fitlake: r.redis.p50, feast: r.feast.online_p50_ms, ratio: r.feast.online_p50_ms / r.redis.p50 },
      { measure: 'online read p99, Redis (ms)', fitlake: r.redis.p99, feast: r.feast.online_p99_ms, ratio: r.feast.online_p99_ms / r.redis.p99 },
      { measure: 'online read p50, embedded (ms)', fitlake: r.embedded.p50, feast: null, ratio: null },
      { measure: 'online read p99, embedded (ms)', fitlake: r.embedded.p99, feast: null, ratio: null },
      { measure: `offline build from scratch, ${r.tables} tables (s)`, fitlake: r.buildSeconds, feast: null, ratio: null },
      { measure: `  of which the member_days table, ${r.groupRows} rows (s)`, fitlake: r.groupSeconds, feast: null, ratio: null },
      ...[day1, day2].flatMap((d) => [
        { measure: `offline build after a new day ${d.day}, ${d.written} rows written (s)`, fitlake: d.seconds, feast: null, ratio: null },
        { measure: '  of which the silver/gold tables (all but the bronze-fed member_live) (s)', fitlake: d.spineSeconds, feast: null, ratio: null },
      ]),
    ];
    console.table(rows.map((x) => ({ ...x, fitlake: x.fitlake.toFixed(4), feast: x.feast === null ? '' : x.feast.toFixed(4), ratio: x.ratio === null ? '' : `${x.ratio.toFixed(1)}×` })));
    const targets = { pitSpeedup: 5, fullBuildSeconds: 30, dayBuildSeconds: 3, embeddedP99Ms: 0.1, redisP99Ms: 1 };
    const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      `targets: point-in-time ≥ 5× Feast → ${met(rows[0].ratio! >= 5)}; full build ≤ 30 s → ${met(r.buildSeconds <= 30)}; one new day ≤ 3 s (silver/gold tables) → ${met(day2.spineSeconds <= 3)}; embedded p99 ≤ 0.1 ms → ${met(r.embedded.p99 <= 0.1)}; Redis p99 ≤ 1 ms (one caller) → ${met(r.redis.p99 <= 1)}`,
    );
    return { benchmark: 'feature_store', scale, rows, raw: r, targets };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
