import type { ForecastModel, ForecastSeries } from '../../training/forecast/model';
import { epochDayToIso, isoToEpochDay } from '../../core/dates';
import { lineChart, type Series } from '../../training/plots/svg';
import type { WeeklyReport } from './weekly_report';

const n1 = (v: number) => v.toFixed(1);
const pct = (v: number | null) => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`);
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/**
 * History (last 26 weeks), the forecast with its 80%/95% bands, and the same weeks a year earlier
 * drawn over the forecast weeks (`lastYear`, when the history reaches back that far). Ticks fall on
 * week starts.
 */
export function seriesChart(s: ForecastSeries, weeks: number, lastYear: (number | null)[] = []): string {
  const hist = s.history.slice(-26);
  const fc = s.forecast.slice(0, weeks);
  const fx = fc.map((p) => isoToEpochDay(p.week));
  const ly = fc.map((_, i) => lastYear[i] ?? null);
  const allWeeks = [...hist.map((h) => isoToEpochDay(h.week)), ...fx];
  const every = Math.ceil(allWeeks.length / 7);
  const series: Series[] = [
    { label: 'sold', x: hist.map((h) => isoToEpochDay(h.week)), y: hist.map((h) => h.units), color: '#333' },
    { label: 'forecast', x: fx, y: fc.map((p) => p.mean), color: '#1f77b4' },
  ];
  if (ly.some((v) => v !== null)) series.push({ label: 'same weeks last year', x: fx, y: ly.map((v) => v ?? NaN), color: '#e377c2', kind: 'dashed' });
  return lineChart({
    title: `${s.name}: weekly units, history and ${weeks}-week forecast`, xLabel: 'week starting (Monday)', yLabel: 'units',
    xTick: epochDayToIso,
    xTicks: allWeeks.filter((_, i) => (allWeeks.length - 1 - i) % every === 0),
    series,
    bands: [
      { label: '95% interval', x: fx, lo: fc.map((p) => p.lo95), hi: fc.map((p) => p.hi95), color: '#1f77b4', opacity: 0.12 },
      { label: '80% interval', x: fx, lo: fc.map((p) => p.lo80), hi: fc.map((p) => p.hi80), color: '#1f77b4', opacity: 0.3 },
    ],
  });
}

/** One row per SKU and forecast week, with last year's units and the reorder figures. */
export function renderCsv(r: WeeklyReport): string {
  const rows = ['iso_week,sku,name,week,mean,lo80,hi80,lo95,hi95,units_last_year,method,model_version'];
  for (const s of r.skus) {
    s.forecast.forEach((p, i) => rows.push([r.isoWeek, s.sku, `"${s.name.replace(/"/g, '""')}"`, p.week, p.mean.toFixed(3), p.lo80.toFixed(3), p.hi80.toFixed(3), p.lo95.toFixed(3), p.hi95.toFixed(3), s.lastYear[i] ?? '', s.method, r.model.version].join(',')));
  }
  return rows.join('\n') + '\n';
}

/** A SKU whose model forecast worse than the naive baseline in the backtest: its figures deserve a second look. */
const worseThanNaive = (s: WeeklyReport['skus'][number]) => s.backtest.mase >= s.backtest.naiveMase;
const FLAG = '⚠ worse than naive';

function summaryRows(r: WeeklyReport): string[][] {
  return r.skus.map((s) => [
    s.sku, s.name, n1(s.forecast.reduce((a, p) => a + p.mean, 0)),
    `${pct(s.changeVsLastYear)}${s.comparedWeeks && s.comparedWeeks < s.forecast.length ? ` (${s.comparedWeeks} wk)` : ''}`,
    `${s.backtest.mase.toFixed(2)} (naive ${s.backtest.naiveMase.toFixed(2)})${worseThanNaive(s) ? ` ${FLAG}` : ''}`,
    `${(s.backtest.coverage80 * 100).toFixed(0)}%`, n1(s.reorder.leadTimeDemand), n1(s.reorder.safetyStock), String(s.reorder.orderUpToLevel),
  ]);
}

const HEAD = ['SKU', 'product', 'forecast units', 'vs last year', 'backtest MASE', '80% coverage', 'lead-time demand', 'safety stock', 'order up to'];

/** What each column means, in the Markdown and the HTML alike. */
const COLUMN_NOTES: [string, string][] = [
  ['forecast units', 'expected units over the forecast weeks (the sum of the weekly means).'],
  ['vs last year', 'the forecast against the same ISO weeks a year earlier, over the weeks the history covers (their number in brackets when not all; n/a when none).'],
  ['backtest MASE', `mean absolute scaled error of the model's past forecasts (rolling origins, 1–4 weeks ahead), beside the naive forecast's; below 1 beats the naive scale. "${FLAG}" marks a SKU where the model did no better than naive.`],
  ['80% coverage', 'how often the actual week fell inside the 80% interval in the backtest (well calibrated: near 80%).'],
  ['lead-time demand', 'forecast units over the reorder lead time.'],
  ['safety stock', 'service-level quantile × the lead-time standard deviation implied by the 95% intervals.'],
  ['order up to', 'lead-time demand + safety stock, rounded up: stock to hold after ordering.'],
];

export function renderMarkdown(r: WeeklyReport): string {
  const o = r.options;
  const lines = [
    `# Supplement forecast — ${r.isoWeek}`,
    '',
    `Model ${r.model.name} v${r.model.version}; sales history through the week of ${r.lastWeek}; next ${o.weeks} weeks. Reorder: lead time ${o.leadTimeWeeks} week(s), ${(o.serviceLevel * 100).toFixed(0)}% service level.`,
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...summaryRows(r).map((row) => `| ${row.join(' | ')} |`),
    '',
    '## Weekly forecast (mean [80% interval])',
    '',
    `| SKU | ${r.skus[0].forecast.map((p) => p.week).join(' | ')} |`,
    `|---|${r.skus[0].forecast.map(() => '---').join('|')}|`,
    ...r.skus.map((s) => `| ${s.sku} | ${s.forecast.map((p) => `${n1(p.mean)} [${n1(p.lo80)}–${n1(p.hi80)}]`).join(' | ')} |`),
    '',
    '## How to read it',
    '',
    ...COLUMN_NOTES.map(([c, text]) => `- **${c}**: ${text}`),
    '',
  ];
  return lines.join('\n');
}

export function renderHtml(r: WeeklyReport, model: ForecastModel): string {
  const rows = summaryRows(r).map((row, i) => `<tr${worseThanNaive(r.skus[i]) ? ' class="warn"' : ''}>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  const table = `<table><thead><tr>${HEAD.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const notes = `<h2>How to read it</h2><dl>${COLUMN_NOTES.map(([c, text]) => `<dt>${esc(c)}</dt><dd>${esc(text)}</dd>`).join('')}</dl>`;
  const charts = r.skus.map((s) => {
    const series = model.series.find((x) => x.sku === s.sku)!;
    return `<section><h2>${esc(s.name)} <small>${esc(s.sku)} · ${esc(s.method)}${worseThanNaive(s) ? ` · ${FLAG}` : ''}</small></h2>${seriesChart(series, r.options.weeks, s.lastYear).replace(/^<svg /, '<svg role="img" ')}</section>`;
  });
  const style = 'body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:nth-child(2),th:nth-child(2),td:first-child{text-align:left}tr.warn td{background:#fff4e5}small{color:#666;font-weight:normal}dt{font-weight:bold;margin-top:.4em}dd{margin-left:1.2em}';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Supplement forecast ${r.isoWeek}</title><style>${style}</style></head><body><h1>Supplement forecast — ${r.isoWeek}</h1><p>Model ${esc(r.model.name)} v${esc(r.model.version)}; history through the week of ${r.lastWeek}; next ${r.options.weeks} weeks; reorder lead time ${r.options.leadTimeWeeks} week(s) at ${(r.options.serviceLevel * 100).toFixed(0)}% service.</p>${table}${notes}${charts.join('')}</body></html>\n`;
}
