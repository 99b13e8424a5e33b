import { addDays } from '../../../core/dates';
import { renderHtml, renderMarkdown, seriesChart } from '../../../serving/report/render';
import type { WeeklyReport } from '../../../serving/report/weekly_report';
import type { ForecastModel, ForecastSeries } from '../../../training/forecast/model';

const FIRST = '2024-01-01'; // a Monday
const weeks = (n: number, from: string) => Array.from({ length: n }, (_, i) => addDays(from, 7 * i));
const history = weeks(60, FIRST).map((week, i) => ({ week, units: 40 + 13.37 * Math.sin(i / 5) }));
const next = weeks(8, addDays(FIRST, 7 * 60));
const series = (sku: string, mase: number, naiveMase: number): ForecastSeries => ({
  sku, name: `Product ${sku}`, method: 'ETS(A,N,N)', params: { alpha: 0.3, beta: 0, phi: 1, gamma: 0, season: 52 }, history,
  forecast: next.map((week) => ({ week, mean: 41.234, lo80: 33.1, hi80: 49.3, lo95: 28.7, hi95: 53.9 })),
  backtest: { mase, smape: 0.2, coverage80: 0.79, coverage95: 0.94, naiveMase },
});
const lastYear = next.map((w) => history.find((h) => h.week === addDays(w, -364))?.units ?? null);
const model: ForecastModel = { kind: 'forecast', formatVersion: 1, lastWeek: history.at(-1)!.week, horizon: 8, series: [series('TOTAL', 0.7, 1), series('SUP1', 1.2, 0.9)], dataVersion: 'x', trainedThrough: next[0] };
const report: WeeklyReport = {
  isoWeek: '2025-W09', model: { name: 'supplement-forecast', version: '3' }, lastWeek: model.lastWeek, options: { weeks: 8, leadTimeWeeks: 2, serviceLevel: 0.95 },
  skus: model.series.map((s) => ({ sku: s.sku, name: s.name, method: s.method, forecast: s.forecast, lastYear, changeVsLastYear: 0.05, comparedWeeks: 8, backtest: s.backtest, reorder: { leadTimeDemand: 82.5, safetyStock: 9.1, orderUpToLevel: 92 } })),
};
const parse = (a: string): Record<string, string> => Object.fromEntries([...a.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
const attrs = (svg: string, tag: string) => [...svg.matchAll(new RegExp(`<${tag} ([^>]*)/?>`, 'g'))].map((m) => parse(m[1]));
const texts = (svg: string): Record<string, string>[] => [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map((m) => ({ ...parse(m[1]), text: m[2] }));

describe('weekly report rendering', () => {
  const svg = seriesChart(model.series[0], 8, lastYear);

  it('tells the forecast, the 80% and the 95% bands apart in the legend', () => {
    const swatches = attrs(svg, 'rect').filter((r) => r.width === '14');
    expect(swatches.map((r) => r['fill-opacity'])).toEqual(['0.12', '0.3']);
    expect(texts(svg).map((t) => t.text)).toEqual(expect.arrayContaining(['sold', 'forecast', 'same weeks last year', '95% interval', '80% interval']));
    const bands = attrs(svg, 'polygon').map((p) => p['fill-opacity']);
    expect(bands).toEqual(['0.12', '0.3']);
  });

  it('puts week ticks on week starts, keeps every label inside the chart, and rounds the y axis', () => {
    const xLabels = texts(svg).filter((t) => /^\d{4}-\d{2}-\d{2}$/.test(t.text));
    expect(xLabels.length).toBeGreaterThanOrEqual(4);
    for (const t of xLabels) expect(new Date(`${t.text}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(xLabels.at(-1)!.text).toBe(next.at(-1));
    // a label is about 6 px a character wide at this font size: each stays inside the chart, none overlaps the next
    const spans = xLabels.map((t) => {
      const x = Number(t.x);
      const w = 6 * t.text.length;
      return t['text-anchor'] === 'end' ? [x - w, x] : t['text-anchor'] === 'start' ? [x, x + w] : [x - w / 2, x + w / 2];
    });
    for (const [i, [left, right]] of spans.entries()) {
      expect([left >= 0, right <= 640]).toEqual([true, true]);
      if (i > 0) expect(left).toBeGreaterThan(spans[i - 1][1]);
    }
    const yLabels = texts(svg).filter((t) => t['text-anchor'] === 'end' && /^-?\d/.test(t.text) && !t.text.includes('-0')).map((t) => t.text).filter((s) => !/^\d{4}-/.test(s));
    expect(yLabels.length).toBeGreaterThanOrEqual(3);
    const values = yLabels.map(Number);
    const step = values[1] - values[0];
    expect([1, 2, 5, 10, 20, 50].map((s) => s).some((s) => Math.abs(step - s) < 1e-9)).toBe(true);
    for (const v of values) expect(Number.isInteger(v / step)).toBe(true);
  });

  it('draws last year’s same weeks over the forecast weeks', () => {
    const dashed = attrs(svg, 'polyline').filter((p) => p['stroke-dasharray']);
    expect(dashed).toHaveLength(1);
    expect(dashed[0].points.split(' ')).toHaveLength(lastYear.filter((v) => v !== null).length);
  });

  it('explains every column in the HTML as in the Markdown, and flags a SKU the naive forecast beat', () => {
    const html = renderHtml(report, model);
    const md = renderMarkdown(report);
    for (const column of ['forecast units', 'vs last year', 'backtest MASE', '80% coverage', 'lead-time demand', 'safety stock', 'order up to']) {
      expect(html).toContain(`<dt>${column}</dt>`);
      expect(md).toContain(`- **${column}**:`);
    }
    expect(html).toMatch(/<tr class="warn"><td>SUP1<\/td>.*1\.20 \(naive 0\.90\) ⚠ worse than naive/);
    expect(html).not.toMatch(/<tr class="warn"><td>TOTAL/);
    expect(md).toContain('| SUP1 | Product SUP1 | 329.9 | +5.0% | 1.20 (naive 0.90) ⚠ worse than naive |');
  });
});
