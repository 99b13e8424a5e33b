/** Small dependency-free SVG charts for run artifacts and reports: lines, points and bands on shared axes. */
export interface Series {
  label: string;
  x: number[];
  y: number[];
  color: string;
  kind?: 'line' | 'points' | 'dashed';
}

export interface Band {
  label: string;
  x: number[];
  lo: number[];
  hi: number[];
  color: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  bands?: Band[];
  width?: number;
  height?: number;
  /** Format of x tick labels (e.g. epoch days → dates). */
  xTick?: (v: number) => string;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** Renders a chart as a standalone SVG document. */
export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 640;
  const H = spec.height ?? 360;
  const m = { l: 56, r: 16, t: 32, b: 64 };
  const xs = [...spec.series.flatMap((s) => s.x), ...(spec.bands ?? []).flatMap((b) => b.x)];
  const ys = [...spec.series.flatMap((s) => s.y), ...(spec.bands ?? []).flatMap((b) => [...b.lo, ...b.hi])];
  const [x0, x1] = extent(xs);
  const [y0, y1] = extent(ys);
  const sx = (v: number) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (v: number) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`];
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(spec.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + ((y1 - y0) * i) / 4;
    const xv = x0 + ((x1 - x0) * i) / 4;
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(yv)}" y2="${sy(yv)}" stroke="#eee"/>`, `<text x="${m.l - 4}" y="${sy(yv) + 4}" text-anchor="end">${fmt(yv)}</text>`);
    out.push(`<text x="${sx(xv)}" y="${H - m.b + 14}" text-anchor="middle">${esc(spec.xTick ? spec.xTick(xv) : fmt(xv))}</text>`);
  }
  out.push(`<text x="${W / 2}" y="${H - m.b + 30}" text-anchor="middle">${esc(spec.xLabel)}</text>`, `<text transform="translate(14 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  for (const b of spec.bands ?? []) {
    const top = b.x.map((x, i) => `${sx(x).toFixed(1)},${sy(b.hi[i]).toFixed(1)}`);
    const bottom = b.x.map((x, i) => `${sx(x).toFixed(1)},${sy(b.lo[i]).toFixed(1)}`).reverse();
    out.push(`<polygon points="${[...top, ...bottom].join(' ')}" fill="${b.color}" fill-opacity="0.2" stroke="none"/>`);
  }
  for (const s of spec.series) {
    const pts = s.x.map((x, i) => [sx(x), sy(s.y[i])] as const).filter(([, y]) => Number.isFinite(y));
    if (s.kind === 'points') for (const [x, y] of pts) out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    else out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8"${s.kind === 'dashed' ? ' stroke-dasharray="5 4"' : ''} points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
  }
  const legend = [...spec.series.map((s) => [s.label, s.color] as const), ...(spec.bands ?? []).map((b) => [b.label, b.color] as const)];
  legend.forEach(([label, color], i) => {
    const x = m.l + i * 150;
    out.push(`<rect x="${x}" y="${H - 22}" width="12" height="4" fill="${color}"/>`, `<text x="${x + 16}" y="${H - 17}">${esc(label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
