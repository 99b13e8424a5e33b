// Revenue: retail by category and SKU, members vs walk-ins, classes' attributed revenue, lifetime value.
import { chart, day, el, fmt, getJson, part, table } from '../lib.js';

export async function render(main) {
  const r = await getJson('/ui/data/revenue');
  const buyers = r.buyers.flatMap((w) => [{ week: w.week, buyer: 'members', revenue: w.member }, { week: w.week, buyer: 'walk-ins', revenue: w.walk_in }]);
  await part(main, 'Retail revenue by week', () => el('div', { class: 'grid' },
    chart('Retail revenue per week by product category', {
      x: { type: 'utc', label: null }, y: { grid: true, label: 'revenue ($)' }, color: { legend: true },
      marks: [Plot.areaY(r.categories, { x: (d) => day(d.week), y: 'revenue', fill: 'category', order: 'sum' }), Plot.ruleY([0])],
    }, [[['week', 'Week of'], ['category', 'Category'], ['revenue', 'Revenue', fmt.money]], r.categories]),
    chart('Retail revenue per week: members vs walk-ins', {
      x: { type: 'utc', label: null }, y: { grid: true, label: 'revenue ($)' }, color: { legend: true, range: ['#1f5fa8', '#c0392b'] },
      marks: [Plot.lineY(buyers, { x: (d) => day(d.week), y: 'revenue', stroke: 'buyer' }), Plot.ruleY([0])],
    }, [[['week', 'Week of'], ['member', 'Members', fmt.money], ['walk_in', 'Walk-ins', fmt.money]], r.buyers]),
  ));
  await part(main, 'Products', () => [
    chart('Revenue by SKU (top 15)', {
      marginLeft: 170, x: { grid: true, label: 'revenue ($)' }, y: { label: null }, color: { legend: true },
      marks: [Plot.barX(r.skus.slice(0, 15), { y: 'name', x: 'revenue', fill: 'category', sort: { y: '-x' } }), Plot.ruleX([0])],
      height: 420,
    }),
    table([['sku', 'SKU'], ['name', 'Product'], ['category', 'Category'], ['units', 'Units', fmt.int], ['revenue', 'Revenue', fmt.money], ['member_revenue', 'Members', fmt.money], ['walk_in_revenue', 'Walk-ins', fmt.money]], r.skus, 'Every SKU, whole history'),
  ]);
  await part(main, 'Classes and lifetime value', () => el('div', { class: 'grid' },
    chart('Membership revenue attributed to class types', {
      marginLeft: 90, x: { grid: true, label: 'attributed revenue ($)' }, y: { label: null },
      marks: [Plot.barX(r.class_types, { y: 'class_type', x: 'attributed_revenue', fill: '#6b4fa8', sort: { y: '-x' } }), Plot.ruleX([0])],
    }, [[['class_type', 'Class type'], ['checkins', 'Check-ins', fmt.int], ['attributed_revenue', 'Attributed', fmt.money]], r.class_types]),
    r.ltv.length === 0 ? el('p', {}, 'No member has revenue in the data yet.') : el('div', {},
      chart(`Lifetime value to date (membership fees billed and retail spend in the data) by plan (${fmt.int(r.ltv_summary[0]?.members)} members; median ${fmt.money(r.ltv_summary[0]?.median)}, 90th percentile ${fmt.money(r.ltv_summary[0]?.p90)})`, {
        x: { label: 'revenue per member to date ($, bins of 250)' }, y: { grid: true, label: 'members' }, color: { legend: true },
        marks: [Plot.rectY(r.ltv, { x1: 'ltv_from', x2: (d) => d.ltv_from + 250, y: 'members', fill: 'plan' }), Plot.ruleY([0])],
      }, [[['plan', 'Plan'], ['ltv_from', 'From ($)', fmt.int], ['members', 'Members', fmt.int]], r.ltv])),
  ));
}
