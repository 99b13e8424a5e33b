import type { ForecastModel, ForecastSeries } from '../../training/forecast/model';
import { epochDayToIso, isoToEpochDay } from '../../core/dates';
import { lineChart } from '../../training/plots/svg';
import type { WeeklyReport } from './weekly_report';

const n1 = (v: number) => v.toFixed(1);
const pct = (v: number | null) => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`);
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** History (last 26 weeks), forecast and its 80%/95% bands for one series. */
export function seriesChart(s: ForecastSeries, weeks: number): string {
  const hist = s.history.slice(-26);
  const fc = s.forecast.slice(0, weeks);
  const fx = fc.map((p) => isoToEpochDay(p.week));
  return lineChart({
    title: `${s.name}: weekly units, history and ${weeks}-week forecast`, xLabel: 'week starting', yLabel: 'units',
    xTick: epochDayToIso,
    series: [{ label: 'sold', x: hist.map((h) => isoToEpochDay(h.week)), y: hist.map((h) => h.units), color: '#333' }, { label: 'forecast', x: fx, y: fc.map((p) => p.mean), color: '#1f77b4' }],
    bands: [{ label: '95% interval', x: fx, lo: fc.map((p) => p.lo95), hi: fc.map((p) => p.hi95), color: '#1f77b4' }, { label: '80% interval', x: fx, lo: fc.map((p) => p.lo80), hi: fc.map((p) => p.hi80), color: '#1f77b4' }],
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

function summaryRows(r: WeeklyReport): string[][] {
  return r.skus.map((s) => [s.sku, s.name, n1(s.forecast.reduce((a, p) => a + p.mean, 0)), `${pct(s.changeVsLastYear)}${s.comparedWeeks && s.comparedWeeks < s.forecast.length ? ` (${s.comparedWeeks} wk)` : ''}`, s.backtest.mase.toFixed(2), `${(s.backtest.coverage80 * 100).toFixed(0)}%`, n1(s.reorder.leadTimeDemand), n1(s.reorder.safetyStock), String(s.reorder.orderUpToLevel)]);
}

const HEAD = ['SKU', 'product', 'forecast units', 'vs last year', 'backtest MASE', '80% coverage', 'lead-time demand', 'safety stock', 'order up to'];

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
    'Order-up-to level = forecast demand over the lead time + safety stock (service-level quantile × the lead-time standard deviation implied by the 95% intervals). "vs last year" compares the forecast with the same ISO weeks a year earlier, over the weeks the history covers (their number in brackets when not all; n/a when none).',
    '',
  ];
  return lines.join('\n');
}

export function renderHtml(r: WeeklyReport, model: ForecastModel): string {
  const table = `<table><thead><tr>${HEAD.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${summaryRows(r).map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const charts = r.skus.map((s) => {
    const series = model.series.find((x) => x.sku === s.sku)!;
    return `<section><h2>${esc(s.name)} <small>${esc(s.sku)} · ${esc(s.method)}</small></h2>${seriesChart(series, r.options.weeks).replace(/^<svg /, '<svg role="img" ')}</section>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Supplement forecast ${r.isoWeek}</title><style>body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:nth-child(2),th:nth-child(2),td:first-child{text-align:left}small{color:#777;font-weight:normal}</style></head><body><h1>Supplement forecast — ${r.isoWeek}</h1><p>Model ${esc(r.model.name)} v${esc(r.model.version)}; history through the week of ${r.lastWeek}; next ${r.options.weeks} weeks; reorder lead time ${r.options.leadTimeWeeks} week(s) at ${(r.options.serviceLevel * 100).toFixed(0)}% service.</p>${table}${charts.join('')}</body></html>\n`;
}
