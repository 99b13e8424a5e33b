// A member: profile, recent activity, churn score with its reasons (POST /predict/churn), features and their freshness, recommendations.
import { cards, chart, day, el, fmt, getJson, part, postJson, table } from '../lib.js';

const recList = (r) => el('ol', { class: 'recs' }, r.items.map((i) => el('li', {}, i.label, el('small', {}, i.reason))));

export async function render(main) {
  const id = main.dataset.member;
  // every request at once; each section waits for its own
  const member = encodeURIComponent(id);
  const churn = postJson('/predict/churn', { member_id: id });
  const recs = Promise.all(['classes', 'products'].map((k) => getJson(`/recommend/${member}?kind=${k}&k=5`)));
  churn.catch(() => undefined);
  recs.catch(() => undefined);
  const m = await getJson(`/ui/data/members/${member}`);
  const p = m.profile;
  await part(main, 'Profile', () => cards([
    ['Name', `${p.first_name} ${p.last_name}`], ['Club', p.club_id], ['Plan', p.plan, `${p.billing_cycle}, $${fmt.num(p.price)}`], ['Member since', p.join_date], ['Status', p.status],
  ]));
  await part(main, 'Churn risk', async () => {
    const s = await churn;
    return [
      el('p', {}, el('span', { class: 'big', 'data-churn-probability': s.churn_probability }, fmt.pct(s.churn_probability)), ' ', el('span', { class: `band-${s.risk_band}` }, `${s.risk_band} risk`),
        ` — the average member: ${fmt.pct(s.average_member_probability)}; features ${s.freshness} as of ${fmt.when(s.feature_timestamp)}; model ${s.model.name} v${s.model.version}. `, el('a', { href: `/ui/what-if?member=${encodeURIComponent(id)}` }, 'What if…')),
      chart('What moves this member’s churn risk (log-odds vs the average member)', {
        marginLeft: 170, x: { grid: true, label: '← lowers risk · raises risk →' }, y: { label: null },
        marks: [Plot.barX(s.top_features, { y: 'feature', x: 'contribution', fill: (d) => (d.contribution > 0 ? '#a4161a' : '#1b6b3a'), sort: { y: '-x', reduce: (v) => Math.abs(v[0]) } }), Plot.ruleX([0])],
        height: 200,
      }, [[['feature', 'Feature'], ['value', 'Value'], ['contribution', 'Contribution', fmt.signed]], s.top_features]),
    ];
  });
  await part(main, 'Last 60 days', () => (m.activity.length === 0 ? el('p', {}, 'No activity in the last 60 days of data.') : chart('Visits and class check-ins per day', {
    x: { type: 'utc', label: null }, y: { grid: true, label: 'count' }, color: { legend: true },
    marks: [Plot.rectY(m.activity.flatMap((d) => [{ date: d.date, kind: 'facility visits', n: d.facility_visits }, { date: d.date, kind: 'class check-ins', n: d.class_checkins }]), { x: (d) => day(d.date), interval: 'day', y: 'n', fill: 'kind' }), Plot.ruleY([0])],
    height: 200,
  }, [[['date', 'Date'], ['facility_visits', 'Visits'], ['class_checkins', 'Classes'], ['app_sessions', 'App sessions'], ['retail_spend', 'Spend', fmt.money], ['wearable_steps', 'Steps', fmt.int]], m.activity])));
  await part(main, 'Recommendations', async () => {
    const [classes, products] = await recs;
    return el('div', { class: 'grid' }, el('div', {}, el('h3', {}, 'Classes'), recList(classes)), el('div', {}, el('h3', {}, 'Products'), recList(products)));
  });
  await part(main, 'Features online', () => {
    const f = m.features;
    if (!f) return el('p', {}, 'This member has no features in the online store.');
    const rows = Object.entries(f.values).map(([feature, value]) => ({ feature, value }));
    return [
      el('p', {}, `Freshness: ${f.freshness}; newest feature timestamp ${fmt.when(f.feature_timestamp)}.`, f.stale_views.length ? ` Stale: ${f.stale_views.join(', ')}.` : '', f.missing_views.length ? ` Missing: ${f.missing_views.join(', ')}.` : ''),
      el('details', {}, el('summary', {}, `All ${rows.length} features`), table([['feature', 'Feature'], ['value', 'Value', (v) => (typeof v === 'number' ? fmt.num(v) : v ?? '–')]], rows)),
    ];
  });
}
