/** Derivative-free minimization (Nelder–Mead simplex) for a handful of smoothing parameters. */
export function nelderMead(f: (x: number[]) => number, start: number[], opts: { step?: number; maxIterations?: number; tolerance?: number } = {}): { x: number[]; value: number } {
  const n = start.length;
  const step = opts.step ?? 0.5;
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + step : v)))].map((x) => ({ x, v: f(x) }));
  const maxIt = opts.maxIterations ?? 200 * n;
  for (let it = 0; it < maxIt; it++) {
    simplex.sort((a, b) => a.v - b.v);
    if (Math.abs(simplex[n].v - simplex[0].v) <= (opts.tolerance ?? 1e-9) * (Math.abs(simplex[0].v) + 1e-12)) break;
    const centroid = start.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + p.x[j], 0) / n);
    const towards = (t: number) => centroid.map((c, j) => c + t * (simplex[n].x[j] - c));
    const r = towards(-1);
    const fr = f(r);
    if (fr < simplex[0].v) {
      const e = towards(-2);
      const fe = f(e);
      simplex[n] = fe < fr ? { x: e, v: fe } : { x: r, v: fr };
    } else if (fr < simplex[n - 1].v) simplex[n] = { x: r, v: fr };
    else {
      const c = towards(fr < simplex[n].v ? -0.5 : 0.5);
      const fc = f(c);
      if (fc < Math.min(fr, simplex[n].v)) simplex[n] = { x: c, v: fc };
      else simplex = simplex.map((p, i) => (i === 0 ? p : { x: p.x.map((v, j) => simplex[0].x[j] + 0.5 * (v - simplex[0].x[j])), v: 0 })).map((p, i) => (i === 0 ? p : { x: p.x, v: f(p.x) }));
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0].x, value: simplex[0].v };
}
