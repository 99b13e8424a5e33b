// Overview: the layers' freshness, data quality, and the gym's key figures.
import { cards, day, el, fmt, getJson, part, table, chart } from '../lib.js';

export async function render(main) {
  const [o, activity] = await Promise.all([getJson('/ui/data/overview'), getJson('/ui/data/activity')]);
  const k = o.kpis;
  const last = k.last_day[0];
  const rev = k.revenue[0];
  const change = rev && rev.previous_7_days ? rev.last_7_days / rev.previous_7_days - 1 : null;
  await part(main, 'Key figures', () => cards([
    ['Active members', fmt.int(k.members[0]?.active), `${fmt.int(k.members[0]?.cancelled)} cancelled`],
    [`DAU on ${last?.date ?? '–'}`, el('span', { 'data-kpi': 'dau' }, fmt.int(last?.active_members)), `${fmt.int(last?.on_site_members)} on site, ${fmt.int(last?.app_members)} in the app`],
    [`WAU, week of ${k.wau[0]?.week_start ?? '–'}`, el('span', { 'data-kpi': 'wau' }, fmt.int(k.wau[0]?.active_members)), 'the last complete week'],
    [`MAU, ${k.mau[0]?.month_start?.slice(0, 7) ?? '–'}`, fmt.int(k.mau[0]?.active_members), k.mau[0] ? `${k.mau[0].days_in_data} days of data` : null],
    ['Retail revenue, last 7 days', fmt.money(rev?.last_7_days), change === null ? null : `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}% vs the 7 days before (${rev.from_day} to ${rev.to_day})`],
  ]));
  await part(main, 'Daily active members, last 90 days', () => {
    const rows = activity.dau.slice(-90);
    return chart('Daily active members over the last 90 days', {
      width: 'wide',
      x: { type: 'utc', label: null }, y: { grid: true, label: 'members' },
      marks: [Plot.lineY(rows, { x: (d) => day(d.date), y: 'active_members', stroke: '#1f5fa8' }), Plot.ruleY([0])],
    }, [[['date', 'Date'], ['active_members', 'Active', fmt.int]], rows]);
  });
  await part(main, 'Layers', () => table([
    ['layer', 'Layer'], ['updated_at', 'Last change', fmt.when], ['rows', 'Rows', fmt.int], ['detail', 'Holds'],
  ], o.layers));
  await part(main, 'Data quality', () => {
    const q = o.quality;
    if (!q) return el('p', {}, 'No pipeline run has checked the data yet.');
    return [
      el('p', {}, el('strong', { class: `outcome ${q.outcome}` }, q.outcome), ` — ${q.checks} checks in run ${q.run_id} (${fmt.when(q.started_at)}). `, el('a', { href: `/ui/quality/${q.run_id}` }, 'Full report')),
      q.failed.length ? table([['table', 'Table'], ['description', 'Check'], ['severity', 'Severity'], ['failing', 'Failing rows', fmt.int]], q.failed) : el('p', {}, 'Every check passed.'),
    ];
  });
}
