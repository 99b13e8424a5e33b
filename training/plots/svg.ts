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
  /** Fill opacity (default 0.2); nested bands use different ones, and so do their legend swatches. */
  opacity?: number;
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
  /** Where the x ticks go (e.g. week starts); default: five evenly spaced. */
  xTicks?: number[];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** About `count` round tick values (steps of 1, 2 or 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < hi + step * 0.999; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/** A tick label: as few decimals as the step needs. */
function tickLabel(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals);
}

/** Renders a chart as a standalone SVG document. */
export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 640;
  const H = spec.height ?? 360;
  // the right margin leaves room for half a date label centred on the last tick
  const m = { l: 56, r: 36, t: 32, b: 64 };
  const xs = [...spec.series.flatMap((s) => s.x), ...(spec.bands ?? []).flatMap((b) => b.x)];
  const ys = [...spec.series.flatMap((s) => s.y), ...(spec.bands ?? []).flatMap((b) => [...b.lo, ...b.hi])];
  const [x0, x1] = extent(xs);
  const yTicks = niceTicks(...extent(ys));
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const sx = (v: number) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (v: number) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`];
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(spec.title)}</text>`);
  for (const yv of yTicks) {
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(yv)}" y2="${sy(yv)}" stroke="#eee"/>`, `<text x="${m.l - 4}" y="${sy(yv) + 4}" text-anchor="end">${tickLabel(yv, yTicks[1] - yTicks[0])}</text>`);
  }
  const xTicks = spec.xTicks ?? [0, 1, 2, 3, 4].map((i) => x0 + ((x1 - x0) * i) / 4);
  for (const xv of xTicks) {
    // a label that would cross the chart's edge centred is anchored inside it, so none is clipped
    const half = 3 * (spec.xTick ? spec.xTick(xv) : fmt(xv)).length;
    const anchor = sx(xv) + half > W ? 'end' : sx(xv) - half < 0 ? 'start' : 'middle';
    out.push(`<line x1="${sx(xv)}" x2="${sx(xv)}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#999"/>`, `<text x="${sx(xv)}" y="${H - m.b + 16}" text-anchor="${anchor}">${esc(spec.xTick ? spec.xTick(xv) : fmt(xv))}</text>`);
  }
  out.push(`<text x="${W / 2}" y="${H - m.b + 30}" text-anchor="middle">${esc(spec.xLabel)}</text>`, `<text transform="translate(14 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  for (const b of spec.bands ?? []) {
    const top = b.x.map((x, i) => `${sx(x).toFixed(1)},${sy(b.hi[i]).toFixed(1)}`);
    const bottom = b.x.map((x, i) => `${sx(x).toFixed(1)},${sy(b.lo[i]).toFixed(1)}`).reverse();
    out.push(`<polygon points="${[...top, ...bottom].join(' ')}" fill="${b.color}" fill-opacity="${b.opacity ?? 0.2}" stroke="none"/>`);
  }
  for (const s of spec.series) {
    const pts = s.x.map((x, i) => [sx(x), sy(s.y[i])] as const).filter(([, y]) => Number.isFinite(y));
    if (s.kind === 'points') for (const [x, y] of pts) out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    else out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.8"${s.kind === 'dashed' ? ' stroke-dasharray="5 4"' : ''} points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
  }
  // legend: a line for each series (dashed where the series is), a filled box at the band's own opacity for each band
  let lx = m.l;
  for (const sr of spec.series) {
    const dash = sr.kind === 'dashed' ? ' stroke-dasharray="4 3"' : '';
    out.push(`<line x1="${lx}" x2="${lx + 14}" y1="${H - 19}" y2="${H - 19}" stroke="${sr.color}" stroke-width="2"${dash}/>`, `<text x="${lx + 18}" y="${H - 15}">${esc(sr.label)}</text>`);
    lx += 30 + sr.label.length * 6;
  }
  for (const b of spec.bands ?? []) {
    out.push(`<rect x="${lx}" y="${H - 24}" width="14" height="10" fill="${b.color}" fill-opacity="${b.opacity ?? 0.2}"/>`, `<text x="${lx + 18}" y="${H - 15}">${esc(b.label)}</text>`);
    lx += 30 + b.label.length * 6;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
