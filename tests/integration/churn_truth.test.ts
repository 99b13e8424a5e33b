import { join } from 'node:path';
import { fixturePath, whenBuilt } from '../fixtures/cache';
import { readCsv } from './landing_reader';

/** ROC AUC by the rank-sum formula, ties averaged. */
function auc(scores: number[], labels: number[]): number {
  const idx = scores.map((_, i) => i).sort((x, y) => scores[x] - scores[y]);
  const ranks = new Array<number>(scores.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    for (let k = i; k <= j; k++) ranks[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const pos = labels.filter((y) => y === 1).length;
  const neg = labels.length - pos;
  const rankSum = labels.reduce((s, y, i) => s + (y === 1 ? ranks[i] : 0), 0);
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

describe('churn ground truth at small scale', () => {
  // the small gym's truth, as the generator wrote it for the training fixture (read only)
  let rows: Record<string, string>[];
  beforeAll(async () => {
    await whenBuilt('small');
    rows = readCsv(join(fixturePath('small'), '_truth', 'churn_monthly.csv'));
  }, 300_000);

  it('is learnable but not trivial: oracle AUC in 0.80–0.92', () => {
    const a = auc(
      rows.map((r) => Number(r.churn_probability)),
      rows.map((r) => Number(r.churned)),
    );
    expect(a).toBeGreaterThanOrEqual(0.8);
    expect(a).toBeLessThanOrEqual(0.92);
  });

  it('has a monthly churn rate of 2–5% in every month, and the probabilities are calibrated', () => {
    const byMonth = new Map<string, { n: number; churned: number; p: number }>();
    for (const r of rows) {
      const m = byMonth.get(r.snapshot_date) ?? { n: 0, churned: 0, p: 0 };
      m.n++;
      m.churned += Number(r.churned);
      m.p += Number(r.churn_probability);
      byMonth.set(r.snapshot_date, m);
    }
    expect(byMonth.size).toBe(12);
    for (const [month, m] of byMonth) {
      expect([month, m.churned / m.n >= 0.02 && m.churned / m.n <= 0.05]).toEqual([month, true]);
    }
    const total = [...byMonth.values()].reduce((s, m) => ({ n: s.n + m.n, churned: s.churned + m.churned, p: s.p + m.p }), { n: 0, churned: 0, p: 0 });
    expect(Math.abs(total.churned - total.p)).toBeLessThan(4 * Math.sqrt(total.p));
  });
});
