/** Agreement between two labelings of the same items, from their contingency table. */

function contingency(a: ArrayLike<number | string>, b: ArrayLike<number | string>) {
  const table = new Map<string, number>();
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  for (let i = 0; i < a.length; i++) {
    const [r, c] = [String(a[i]), String(b[i])];
    table.set(`${r}\u0000${c}`, (table.get(`${r}\u0000${c}`) ?? 0) + 1);
    rows.set(r, (rows.get(r) ?? 0) + 1);
    cols.set(c, (cols.get(c) ?? 0) + 1);
  }
  return { table, rows, cols, n: a.length };
}

const pairs = (x: number) => (x * (x - 1)) / 2;

/** Adjusted Rand index (Hubert & Arabie 1985): 1 for identical partitions, about 0 for unrelated ones. */
export function adjustedRandIndex(a: ArrayLike<number | string>, b: ArrayLike<number | string>): number {
  const { table, rows, cols, n } = contingency(a, b);
  const index = [...table.values()].reduce((s, v) => s + pairs(v), 0);
  const sa = [...rows.values()].reduce((s, v) => s + pairs(v), 0);
  const sb = [...cols.values()].reduce((s, v) => s + pairs(v), 0);
  const expected = (sa * sb) / pairs(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/** Cramér's V between two categorical labelings: 0 independent, 1 one determines the other. */
export function cramersV(a: ArrayLike<number | string>, b: ArrayLike<number | string>): number {
  const { table, rows, cols, n } = contingency(a, b);
  let chi2 = 0;
  for (const [r, nr] of rows) {
    for (const [c, nc] of cols) {
      const e = (nr * nc) / n;
      chi2 += ((table.get(`${r}\u0000${c}`) ?? 0) - e) ** 2 / e;
    }
  }
  const k = Math.min(rows.size, cols.size) - 1;
  return k <= 0 ? 0 : Math.sqrt(chi2 / (n * k));
}
