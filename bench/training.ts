import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLake } from './lake';
import { peerPython } from './peers/python_env';

const PEERS = ['scikit-learn==1.9.1', 'implicit==0.7.3', 'statsmodels==0.15.0'];

/**
 * Trainers vs their Python peers on the same exported training sets: scikit-learn LogisticRegression
 * (churn), implicit ALS (recommenders), statsmodels ETS (forecast backtest). `FITLAKE_BENCH_LAKE=DIR`
 * reuses a built lakehouse.
 */
export function training(scale: string): Record<string, unknown> {
  const python = peerPython(PEERS, 'sklearn, implicit, statsmodels');
  const reuse = process.env.FITLAKE_BENCH_LAKE;
  const root = reuse ?? mkdtempSync(join(tmpdir(), 'fitlake-bench-'));
  try {
    if (!reuse) buildLake(root, scale);
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'training_phase.ts'), root, python, join(__dirname, 'peers', 'training_peers.py')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    const r = JSON.parse(out.trim().split('\n').at(-1)!);
    const c = r.churn;
    const rows = [
      { measure: `churn ROC-AUC, out of time (${c.fitlake.rows} rows × ${c.fitlake.inputs} inputs)`, fitlake: c.fitlake.auc, peer: c.sklearn.auc, peerName: 'scikit-learn', target: '|Δ| ≤ 0.005', met: Math.abs(c.fitlake.auc - c.sklearn.auc) <= 0.005 },
      { measure: 'churn fit (s)', fitlake: c.fitlake.fitSeconds, peer: c.sklearn.fit_seconds, peerName: 'scikit-learn', target: '≤ 2× peer', met: c.fitlake.fitSeconds <= 2 * c.sklearn.fit_seconds },
    ];
    for (const t of ['classes', 'products']) {
      const a = r.als[t];
      rows.push(
        { measure: `${t} precision@10 (${a.fitlake.users} members × ${a.fitlake.items} items)`, fitlake: a.fitlake.precision_at_10, peer: a.implicit.precision_at_10, peerName: 'implicit ALS', target: '≥ peer', met: a.fitlake.precision_at_10 >= a.implicit.precision_at_10 - 1e-12 },
        { measure: `${t} ALS fit (s), peer on all ${cpus().length} cores`, fitlake: a.fitlake.fitSeconds, peer: a.implicit.fitSeconds, peerName: 'implicit ALS', target: '≤ 3× peer', met: a.fitlake.fitSeconds <= 3 * a.implicit.fitSeconds },
        { measure: `${t} ALS fit (s), peer on 1 thread like fitlake`, fitlake: a.fitlake.fitSeconds, peer: a.implicit.fitSeconds1Thread, peerName: 'implicit ALS', target: '≤ 3× peer', met: a.fitlake.fitSeconds <= 3 * a.implicit.fitSeconds1Thread },
      );
    }
    const f = r.forecast;
    rows.push(
      { measure: `forecast MASE, rolling origin (${f.points} points)`, fitlake: f.fitlake.mase, peer: f.statsmodels.mase, peerName: 'statsmodels ETS', target: '≤ peer', met: f.fitlake.mase <= f.statsmodels.mase + 1e-12 },
      { measure: 'forecast backtest, all fits (s)', fitlake: f.fitlake.fitSeconds, peer: f.statsmodels.fitSeconds, peerName: 'statsmodels ETS', target: '—', met: true },
    );
    console.table(rows.map((x) => ({ measure: x.measure, fitlake: x.fitlake.toFixed(4), peer: `${x.peer.toFixed(4)} (${x.peerName})`, target: x.target, met: x.met ? 'met' : 'NOT met' })));
    return { benchmark: 'training', scale, peers: PEERS, rows, raw: r };
  } finally {
    if (!reuse) rmSync(root, { recursive: true, force: true });
  }
}
