// Models: every registered model's versions and runs, champion vs challenger metrics, and the runs' plots.
import { el, fmt, getJson, part, table } from '../lib.js';

export async function render(main) {
  const [m, served] = await Promise.all([getJson('/ui/data/models'), getJson('/models')]);
  await part(main, 'Registry', () => [
    el('p', {}, `Tracking: ${m.tracking.type} at ${m.tracking.location}. `, m.tracking.ui ? el('a', { href: m.tracking.ui, rel: 'noopener' }, "Open MLflow's UI") : 'Start `mlflow ui` in the lakehouse folder to browse the runs in MLflow.'),
    table([['name', 'Served model'], ['version', 'Version', (v) => v ?? '–'], ['alias', 'Alias', (v) => v ?? '–'], ['error', 'Not served because', (v) => v ?? '']], served.models.map((x) => ({ ...x, alias: served.alias }))),
  ]);
  for (const model of m.models) {
    await part(main, model.name, () => [
      el('p', {}, `Champion: ${model.champion ? `v${model.champion}` : 'none'} · challenger: ${model.challenger ? `v${model.challenger}` : 'none'} · ${model.versions.length} version${model.versions.length === 1 ? '' : 's'}`),
      model.compare.length ? el('details', { open: model.name === 'churn' }, el('summary', {}, 'Champion vs challenger metrics'),
        table([['metric', 'Metric'], ['champion', `Champion${model.champion ? ` v${model.champion}` : ''}`, (v) => fmt.num(v, 4)], ['challenger', `Challenger${model.challenger ? ` v${model.challenger}` : ''}`, (v) => fmt.num(v, 4)]], model.compare)) : null,
      model.plots.length ? el('div', { class: 'grid' }, model.plots.map((p) => el('figure', { class: 'chart' }, el('img', { src: p.url, alt: `${model.name} ${p.title} plot`, width: 560, height: 360, style: 'max-width:100%;height:auto' }), el('figcaption', {}, p.title)))) : null,
      table([['version', 'Version'], ['aliases', 'Aliases', (v) => v.join(', ')], ['created_at', 'Registered', fmt.when], ['run_name', 'Run'], ['status', 'Status'],
        [(v) => (v.primary_metric ? `${v.primary_metric} ${fmt.num(v.primary_value, 4)}` : '–'), 'Primary metric'], ['gates', 'Release gates']], model.versions),
    ]);
  }
}
