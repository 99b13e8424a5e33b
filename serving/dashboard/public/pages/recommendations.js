// Recommendations: a member's class and product lists with reasons, and how the models rank against baselines.
import { chart, el, field, fmt, getJson, part } from '../lib.js';

const METHODS = [['', 'model'], ['own_history_', "member's own history"], ['club_popularity_', "home club's popularity"], ['popularity_', 'global popularity']];
const METRICS = ['ndcg_at_10', 'precision_at_10', 'recall_at_10'];

export async function render(main) {
  const given = new URLSearchParams(location.search).get('member') ?? '';
  await part(main, 'Look up a member', () => {
    const input = el('input', { type: 'text', value: given, pattern: '[A-Za-z0-9_-]{1,64}', required: true, autocomplete: 'off' });
    const out = el('div', { 'aria-live': 'polite' });
    const show = async (id) => {
      out.replaceChildren(el('p', { class: 'status' }, 'Loading…'));
      try {
        const lists = await Promise.all(['classes', 'products'].map((k) => getJson(`/recommend/${encodeURIComponent(id)}?kind=${k}&k=10`)));
        out.replaceChildren(el('div', { class: 'grid' }, lists.map((r) => el('div', {},
          el('h3', {}, `${r.kind === 'classes' ? 'Classes' : 'Products'}${r.fallback ? ' (popular at their club: no history yet)' : ''}`),
          el('ol', { class: 'recs' }, r.items.map((i) => el('li', {}, i.label, ' ', el('small', {}, `${i.reason} · score ${fmt.num(i.score, 3)}`)))),
          el('p', {}, el('small', {}, `${r.model.name} v${r.model.version}`)),
        ))), el('p', {}, el('a', { href: `/ui/members/${encodeURIComponent(id)}` }, `Member page of ${id}`)));
      } catch (e) {
        out.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
      }
    };
    const form = el('form', { class: 'controls', onsubmit: (e) => { e.preventDefault(); void show(input.value.trim()); } }, field('Member id', input), el('button', { type: 'submit' }, 'Recommend'));
    if (given) void show(given);
    return [form, out];
  });
  const models = await getJson('/ui/data/models');
  for (const name of ['recommender-classes', 'recommender-products']) {
    await part(main, `Quality of ${name} vs baselines`, () => {
      const m = models.models.find((x) => x.name === name);
      if (!m || !m.compare.length) return el('p', {}, `${name} has no tracked runs yet.`);
      const value = (metric) => m.compare.find((c) => c.metric === metric)?.[m.champion ? 'champion' : 'challenger'] ?? null;
      const rows = METHODS.flatMap(([prefix, method]) => METRICS.map((metric) => ({ method, metric: metric.replaceAll('_', ' '), value: value(`${prefix}${metric}`) }))).filter((r) => r.value !== null);
      return chart(`${name} v${m.champion ?? m.challenger} on held-out weeks: model vs the strongest simple baselines`, {
        marginLeft: 160, x: { grid: true, label: 'score' }, y: { label: null }, fy: { label: null }, color: { legend: true },
        marks: [Plot.barX(rows, { fy: 'metric', y: 'method', x: 'value', fill: 'method' }), Plot.ruleX([0])],
        height: 380,
      }, [[['metric', 'Metric'], ['method', 'Method'], ['value', 'Value', (v) => fmt.num(v, 4)]], rows]);
    });
  }
}
