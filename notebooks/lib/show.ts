// Inline output for the notebooks: Observable Plot charts drawn into a server-side DOM (linkedom) and
// shown as SVG, tables as HTML, and labelled figures as text (the lines tests/integration/notebooks.test.ts
// reads back). Only inside the tslab kernel is there somewhere to show them.
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

interface Display {
  html(s: string): void;
  svg(s: string): void;
}

const { document } = parseHTML('<!doctype html><html><body></body></html>');
const SVG_NS = 'http://www.w3.org/2000/svg';

/** tslab's display, resolved from the kernel's own install (notebooks/kernel), the process's main module. */
function display(): Display {
  if (!require.main) throw new Error('nb.chart and nb.table show output inside the notebooks\' tslab kernel only');
  return (require.main.require('tslab') as { display: Display }).display;
}

/** Draws a chart with Observable Plot (the same library as the dashboard) and shows it. */
export function chart(options: Plot.PlotOptions): void {
  const el = Plot.plot({ ...options, document } as Plot.PlotOptions) as unknown as { tagName: string; setAttribute(k: string, v: string): void; outerHTML: string };
  if (el.tagName.toLowerCase() === 'svg') {
    el.setAttribute('xmlns', SVG_NS);
    display().svg(el.outerHTML);
  } else display().html(el.outerHTML);
}

/** A value as a table shows it: integers with separators, other numbers to `digits` significant digits, dates as days. */
export function fmt(v: unknown, digits = 4): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint') return v.toLocaleString('en-US');
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? v.toLocaleString('en-US') : Number(v.toPrecision(digits)).toLocaleString('en-US', { maximumSignificantDigits: digits });
  }
  if (v instanceof Date) return v.toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z');
  return String(v);
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Shows rows as an HTML table (the first `limit`, with a line saying how many there are). */
export function table(rows: readonly Record<string, unknown>[], opts: { limit?: number; digits?: number } = {}): void {
  const limit = opts.limit ?? 20;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const head = `<tr>${columns.map((c) => `<th>${escape(c)}</th>`).join('')}</tr>`;
  const body = rows
    .slice(0, limit)
    .map((r) => `<tr>${columns.map((c) => `<td${typeof r[c] === 'number' || typeof r[c] === 'bigint' ? ' style="text-align:right"' : ''}>${escape(fmt(r[c], opts.digits))}</td>`).join('')}</tr>`)
    .join('');
  const more = rows.length > limit ? `<p>${limit} of ${rows.length.toLocaleString('en-US')} rows</p>` : '';
  display().html(`<table><thead>${head}</thead><tbody>${body}</tbody></table>${more}`);
}

/**
 * Prints labelled figures, one per line as `name  value` (numbers to 6 significant digits): the
 * notebooks' key numbers, which the notebook test compares with the project's own results.
 */
export function figures(values: Record<string, number | string>): void {
  const width = Math.max(...Object.keys(values).map((k) => k.length));
  const line = (k: string, v: number | string) => `${k.padEnd(width)}  ${typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : v}`;
  console.log(Object.entries(values).map(([k, v]) => line(k, v)).join('\n'));
}
