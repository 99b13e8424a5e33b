// Forecast: each supplement's weekly sales, the forecast with 80/95% intervals, last year's same weeks, and reorder suggestions.
import { chart, day, el, field, fmt, getJson, part, select, table } from '../lib.js';

export async function render(main) {
  const state = { weeks: '8', lead_time_weeks: '2', service_level: '0.95', sku: '' };
  const chartBox = el('div');
  const tableBox = el('div', { 'aria-live': 'polite' });
  let report = null;
  const drawChart = () => {
    const s = report.skus.find((x) => x.sku === state.sku) ?? report.skus[0];
    const history = report.history[s.sku].slice(-52);
    const lastYear = s.forecast.map((f, i) => ({ week: f.week, units: s.lastYear[i] })).filter((r) => r.units !== null);
    chartBox.replaceChildren(chart(`${s.name} (${s.sku}): weekly units, forecast (${s.method}) with 80% and 95% intervals, and the same weeks last year`, {
      width: 'wide', x: { type: 'utc', label: null }, y: { grid: true, label: 'units per week' },
      marks: [
        Plot.areaY(s.forecast, { x: (d) => day(d.week), y1: 'lo95', y2: 'hi95', fill: '#1f5fa8', fillOpacity: 0.15 }),
        Plot.areaY(s.forecast, { x: (d) => day(d.week), y1: 'lo80', y2: 'hi80', fill: '#1f5fa8', fillOpacity: 0.3 }),
        Plot.lineY(history, { x: (d) => day(d.week), y: 'units', stroke: '#1b1f24' }),
        Plot.lineY(s.forecast, { x: (d) => day(d.week), y: 'mean', stroke: '#1f5fa8', strokeWidth: 2 }),
        Plot.dot(lastYear, { x: (d) => day(d.week), y: 'units', stroke: '#c0392b', symbol: 'diamond' }),
        Plot.ruleY([0]),
      ],
    }, [[['week', 'Week'], ['mean', 'Forecast', (v) => fmt.num(v, 1)], ['lo80', '80% low', (v) => fmt.num(v, 1)], ['hi80', '80% high', (v) => fmt.num(v, 1)], ['lo95', '95% low', (v) => fmt.num(v, 1)], ['hi95', '95% high', (v) => fmt.num(v, 1)]], s.forecast]));
  };
  const load = async () => {
    const q = new URLSearchParams({ weeks: state.weeks, lead_time_weeks: state.lead_time_weeks, service_level: state.service_level });
    report = await getJson(`/ui/data/forecast?${q}`);
    state.sku ||= report.skus[0]?.sku;
    drawChart();
    tableBox.replaceChildren(
      el('p', {}, `Model ${report.model.name} v${report.model.version}; history to the week of ${report.lastWeek}; lead time ${report.options.leadTimeWeeks} weeks; service level ${fmt.pct(report.options.serviceLevel)}.`),
      table([['sku', 'SKU'], ['name', 'Product'], ['method', 'Method'], [(s) => s.forecast.reduce((a, f) => a + f.mean, 0), `Forecast, ${state.weeks} weeks`, (v) => fmt.num(v, 0)],
        ['changeVsLastYear', 'vs last year', (v) => (v === null ? '–' : fmt.pct(v))], [(s) => s.reorder.leadTimeDemand, 'Lead-time demand', (v) => fmt.num(v, 0)],
        [(s) => s.reorder.safetyStock, 'Safety stock', (v) => fmt.num(v, 0)], [(s) => s.reorder.orderUpToLevel, 'Order up to', (v) => fmt.num(v, 0)], [(s) => s.backtest.mase, 'Backtest MASE', (v) => fmt.num(v, 2)]], report.skus),
    );
  };
  const on = (key) => async (e) => {
    state[key] = e.target.value;
    if (key === 'sku') return drawChart();
    try {
      await load();
    } catch (err) {
      tableBox.replaceChildren(el('p', { class: 'error', role: 'alert' }, err.message));
    }
  };
  await part(main, 'Supplement demand', async () => {
    await load();
    const controls = el('div', { class: 'controls' },
      field('Product', select(report.skus.map((s) => [s.sku, `${s.name} (${s.sku})`]), state.sku, { onchange: on('sku') })),
      field('Weeks shown', select(['4', '5', '6', '7', '8'].map((w) => [w, w]), state.weeks, { onchange: on('weeks') })),
      field('Supplier lead time (weeks)', select(['1', '2', '3', '4', '6', '8'].map((w) => [w, w]), state.lead_time_weeks, { onchange: on('lead_time_weeks') })),
      field('Service level', select([['0.9', '90%'], ['0.95', '95%'], ['0.99', '99%']], state.service_level, { onchange: on('service_level') })),
    );
    return [controls, chartBox];
  });
  await part(main, 'Reorder suggestions (the weekly report)', () => tableBox);
}
