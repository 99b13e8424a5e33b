// What-if: change a member's inputs and see the churn model's probability move (POST /predict/churn/what-if).
import { chart, el, field, fmt, getJson, part, postJson, select } from '../lib.js';

const SEED_INPUTS = ['visits_30d', 'plan', 'app_sessions_30d'];

export async function render(main) {
  const given = new URLSearchParams(location.search).get('member');
  const [inputs, top] = await Promise.all([getJson('/ui/data/what-if-inputs'), given ? null : getJson('/ui/data/at-risk?limit=1')]);
  const member = given ?? top.rows[0]?.member_id ?? '';
  const idInput = el('input', { type: 'text', value: member, pattern: '[A-Za-z0-9_-]{1,64}', required: true, autocomplete: 'off' });
  const editor = el('div');
  const current = el('p');
  const result = el('div', { 'aria-live': 'polite' });
  const categorical = new Map(inputs.categorical.map((c) => [c.name, c.values]));
  const controls = new Map();

  const changes = () => {
    const set = {};
    for (const [name, c] of controls) if (c.value !== c.dataset.current) set[name] = categorical.has(name) ? c.value : Number(c.value);
    return set;
  };
  const score = async () => {
    const set = changes();
    if (Object.keys(set).length === 0) return result.replaceChildren(el('p', {}, 'Every input is as it is online: change one to see what the model says.'));
    try {
      const r = await postJson('/predict/churn/what-if', { member_id: idInput.value.trim(), set });
      const rows = [{ case: 'now', p: r.current.churn_probability }, { case: 'what if', p: r.what_if.churn_probability }];
      result.replaceChildren(
        el('p', {}, 'Churn probability: ', el('strong', { 'data-probability-now': r.current.churn_probability }, fmt.pct(r.current.churn_probability)), ' now → ',
          el('strong', { class: `band-${r.what_if.risk_band}`, 'data-probability-what-if': r.what_if.churn_probability }, fmt.pct(r.what_if.churn_probability)), ` (${r.what_if.risk_band} risk) with ${Object.entries(r.set).map(([k, v]) => `${k} = ${v}`).join(', ')}.`),
        chart('Churn probability now and with the changes', {
          marginLeft: 70, x: { domain: [0, 100], percent: true, grid: true, label: 'churn probability (%)' }, y: { label: null },
          marks: [Plot.barX(rows, { y: 'case', x: 'p', fill: (d) => (d.case === 'now' ? '#8a939e' : '#1f5fa8') }), Plot.ruleX([0])], height: 120,
        }, [[['case', 'Case'], ['p', 'Probability', fmt.pct]], rows]),
      );
    } catch (e) {
      result.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    }
  };
  const load = async () => {
    const id = idInput.value.trim();
    editor.replaceChildren();
    controls.clear();
    try {
      const [now, online] = await Promise.all([postJson('/predict/churn', { member_id: id }), getJson(`/members/${encodeURIComponent(id)}/features`)]);
      const features = online.features;
      const names = [...new Set([...SEED_INPUTS, ...now.top_features.map((f) => f.feature)])].filter((n) => categorical.has(n) || inputs.numeric.includes(n));
      for (const name of names) {
        const current = features[name] ?? '';
        const c = categorical.has(name)
          ? select(categorical.get(name).map((v) => [v, v]), String(current), { name })
          : el('input', { type: 'number', name, value: current === null ? '' : current, step: 'any', min: 0 });
        c.dataset.current = String(current ?? '');
        c.addEventListener('change', () => void score());
        controls.set(name, c);
        editor.append(field(name.replaceAll('_', ' '), c));
      }
      current.replaceChildren('Churn probability now: ', el('strong', {}, fmt.pct(now.churn_probability)), ' ', el('span', { class: `band-${now.risk_band}` }, `(${now.risk_band} risk)`), '.');
      await score();
    } catch (e) {
      result.replaceChildren(el('p', { class: 'error', role: 'alert' }, e.message));
    }
  };
  await part(main, 'Change a member’s inputs', async () => {
    const form = el('form', { class: 'controls', onsubmit: (e) => { e.preventDefault(); void load(); } }, field('Member id', idInput), el('button', { type: 'submit' }, 'Load member'));
    await load();
    editor.className = 'controls';
    return [el('p', {}, `Model ${inputs.model.name} v${inputs.model.version}. The inputs shown are the three the gym asks about and this member's strongest contributors; every other feature stays as it is online.`), form, current, editor, result];
  });
}
