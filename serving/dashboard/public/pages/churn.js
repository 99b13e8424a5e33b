// Churn: cohort retention, cancellation reasons, and the members the champion model rates most at risk.
import { chart, el, field, fmt, getJson, part, select, table } from '../lib.js';

const reasons = (list) => list.map((c) => `${c.feature} = ${typeof c.value === 'number' ? fmt.num(c.value) : c.value ?? 'unknown'} (${fmt.signed(c.contribution)})`).join('; ');

export async function render(main) {
  const c = await getJson('/ui/data/churn');
  await part(main, 'Cohort retention', () => chart('Share of each join month still a member, by months since joining', {
    width: 'wide', marginLeft: 70, padding: 0.04, x: { label: 'months since joining' }, y: { type: 'band', label: null }, color: { scheme: 'greens', legend: true, label: 'retained (%)', percent: true },
    marks: [Plot.cell(c.cohorts, { x: 'months_since_join', y: 'cohort', fill: 'retention_rate', inset: 0.5 })],
    height: 60 + 18 * new Set(c.cohorts.map((r) => r.cohort)).size,
  }, [[['cohort', 'Join month'], ['months_since_join', 'Months since', fmt.int], ['members', 'Members', fmt.int], ['retained', 'Retained', fmt.int], ['retention_rate', 'Rate', fmt.pct]], c.cohorts]));
  await part(main, 'Why members cancel', () => chart('Cancellations by stated reason', {
    marginLeft: 120, x: { grid: true, label: 'cancellations' }, y: { label: null },
    marks: [Plot.barX(c.reasons, { y: 'reason', x: 'cancellations', fill: '#a4161a', sort: { y: '-x' } }), Plot.ruleX([0])],
  }, [[['reason', 'Reason'], ['cancellations', 'Cancellations', fmt.int]], c.reasons]));
  await part(main, 'Members at risk', () => atRisk(c.clubs.map((r) => r.club_id)));
}

/** Says on each sortable column header how the list is sorted (aria-sort), for screen readers. */
function sorted(wrap, state) {
  for (const b of wrap.querySelectorAll('th button[data-sort]')) {
    b.closest('th').setAttribute('aria-sort', b.dataset.sort !== state.sort ? 'none' : state.order === 'desc' ? 'descending' : 'ascending');
  }
  return wrap;
}

function atRisk(clubs) {
  const state = { club: '', band: '', sort: 'probability', order: 'desc', limit: 50 };
  const out = el('div', { 'aria-live': 'polite' });
  const load = async () => {
    const q = new URLSearchParams(Object.entries(state).filter(([, v]) => v !== ''));
    try {
      const r = await getJson(`/ui/data/at-risk?${q}`);
      const sortable = (key, label) => [key, el('button', { type: 'button', onclick: () => sortBy(key), 'data-sort': key }, label, el('span', { 'aria-hidden': 'true' }, state.sort === key ? (state.order === 'desc' ? ' ↓' : ' ↑') : ''))];
      const cols = [
        [(m) => el('a', { href: `/ui/members/${encodeURIComponent(m.member_id)}` }, m.member_id), sortable('member_id', 'Member')[1]],
        ['club_id', sortable('club_id', 'Club')[1]],
        ['plan', 'Plan'],
        ['probability', sortable('probability', 'Churn probability')[1], fmt.pct],
        [(m) => el('span', { class: `band-${m.band}` }, m.band), 'Band'],
        [(m) => reasons(m.reasons), 'Why (log-odds vs the average member)'],
      ];
      out.replaceChildren(
        el('p', {}, `${fmt.int(r.total)} of ${fmt.int(r.scored)} scored members match; showing ${r.rows.length}. Model ${r.model.name} v${r.model.version} (${r.model.alias}); bands: medium ≥ ${fmt.pct(r.bands.medium)}, high ≥ ${fmt.pct(r.bands.high)}.`),
        sorted(table(cols, r.rows), state),
      );
    } catch (e) {
      out.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    }
  };
  const sortBy = (key) => {
    state.order = state.sort === key && state.order === 'desc' ? 'asc' : 'desc';
    state.sort = key;
    void load();
  };
  const on = (key) => (e) => {
    state[key] = e.target.value;
    void load();
  };
  const controls = el('div', { class: 'controls' },
    field('Club', select([['', 'All clubs'], ...clubs.map((x) => [x, x])], '', { onchange: on('club') })),
    field('Risk band', select([['', 'All bands'], ['high', 'high'], ['medium', 'medium'], ['low', 'low']], '', { onchange: on('band') })),
    field('Show', select([['50', '50'], ['100', '100'], ['500', '500']], '50', { onchange: on('limit') })),
  );
  return load().then(() => [controls, out]);
}
