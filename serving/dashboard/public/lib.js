// Helpers shared by the pages: data requests, DOM building, tables, charts and number formats.

/** GET a JSON document; a non-2xx answer throws its error message. */
export async function getJson(url) {
  return answer(await fetch(url, { headers: { accept: 'application/json' } }));
}

/** POST a JSON body; a non-2xx answer throws its error message. */
export async function postJson(url, body) {
  return answer(await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) }));
}

async function answer(res) {
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
    e.status = res.status;
    throw e;
  }
  return body;
}

/** An element with attributes (on* keys become listeners) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : String(c));
  return node;
}

/** A titled section of the page. */
export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return el('section', { 'aria-labelledby': id }, el('h2', { id }, title), ...children);
}

/** A table: columns as [key or row => value, label, format(value)?]; `rows` objects. Numbers are right-aligned. */
export function table(columns, rows, caption) {
  const head = el('tr', {}, columns.map(([, label]) => el('th', { scope: 'col' }, label)));
  const body = rows.map((r) => el('tr', {}, columns.map(([key, , format]) => {
    const v = typeof key === 'function' ? key(r) : r[key];
    const shown = format ? format(v) : v ?? '–';
    return el('td', { class: typeof v === 'number' ? 'num' : undefined }, shown);
  })));
  return el('div', { class: 'table-wrap' }, el('table', {}, caption ? el('caption', {}, caption) : null, el('thead', {}, head), el('tbody', {}, body)));
}

/**
 * A chart from Observable Plot options, described for assistive technology: the SVG is one image
 * named by `title` (the marks' own aria labels are removed: an SVG group may not carry one), with
 * the data as a table under it (`data`: [columns, rows]) for those who cannot see it.
 */
export function chart(title, options, data) {
  // full-width charts ask for width: 'wide'; SVGs scale down to their container (phones)
  if (options.width === 'wide') options = { ...options, width: 1160 };
  const figure = el('figure', { class: 'chart' }, el('figcaption', {}, title));
  const plot = Plot.plot({ width: 640, height: 280, marginLeft: 56, style: { fontSize: '12px', overflow: 'visible' }, ...options });
  const svg = plot.tagName.toLowerCase() === 'svg' ? plot : plot.querySelector('svg');
  // the marks drawn (not axes, grids or rules), for readers and tests: Plot names each mark's group
  const marks = [...plot.querySelectorAll('g[aria-label]')].filter((g) => !/axis|grid|rule|tip/.test(g.getAttribute('aria-label')));
  for (const node of plot.querySelectorAll('[aria-label], [aria-description]')) {
    node.removeAttribute('aria-label');
    node.removeAttribute('aria-description');
  }
  svg.setAttribute('role', 'img');
  svg.dataset.marks = String(marks.reduce((n, g) => n + g.childElementCount, 0));
  svg.setAttribute('aria-label', title);
  plot.style.maxWidth = '100%';
  plot.style.height = 'auto';
  figure.append(plot);
  if (data) figure.append(el('details', {}, el('summary', {}, 'Data'), table(data[0], data[1].slice(0, 400))));
  return figure;
}

/** Key figures as cards: [label, value, note?]. */
export function cards(items) {
  return el('dl', { class: 'cards' }, items.map(([label, value, note]) => el('div', { class: 'card' }, el('dt', {}, label), el('dd', {}, value, note ? el('small', {}, note) : null))));
}

/** A labelled form control. */
export function field(label, control) {
  const id = control.id || `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  control.id = id;
  return el('div', { class: 'field' }, el('label', { for: id }, label), control);
}

/** A select with [value, label] options. */
export function select(options, value, attrs = {}) {
  return el('select', attrs, options.map(([v, label]) => el('option', { value: v, selected: v === value }, label)));
}

/** Instants in the gym's time zone (the server names it on <main>). */
const WHEN = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: document.querySelector('main').dataset.timeZone || undefined });

export const fmt = {
  int: (v) => (v === null || v === undefined ? '–' : Math.round(v).toLocaleString('en-US')),
  num: (v, d = 2) => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })),
  pct: (v, d = 1) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(d)}%`),
  money: (v) => (v === null || v === undefined ? '–' : `$${Number(v).toLocaleString('en-US', { maximumFractionDigits: 0 })}`),
  when: (v) => (v ? WHEN.format(new Date(v)) : 'never'),
  signed: (v) => (v >= 0 ? `+${v.toFixed(2)}` : v.toFixed(2)),
};

/** A month (YYYY-MM-DD, its first day) as "Jan '25". */
export const month = (s) => `${new Date(`${s}T00:00:00Z`).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })} '${s.slice(2, 4)}`;

/** Parses an ISO date (YYYY-MM-DD) as a UTC date for time scales. */
export const day = (s) => new Date(`${s}T00:00:00Z`);

/** The page's status line (loading, errors). */
export function status(main, text, isError = false) {
  const node = main.querySelector('.status');
  node.textContent = text;
  node.classList.toggle('error', isError);
  node.setAttribute('role', isError ? 'alert' : 'status');
  node.hidden = !text;
}

/**
 * Appends a titled section, then fills it from `build` (nodes, or an array of them): each section
 * loads on its own, and one that fails says why without taking the page down.
 */
export async function part(main, title, build) {
  const note = el('p', { class: 'status', role: 'status' }, 'Loading…');
  const s = section(title, note);
  main.append(s);
  try {
    const nodes = await build();
    note.remove();
    s.append(...[nodes].flat().filter(Boolean));
  } catch (e) {
    note.textContent = e.message;
    note.classList.add('error');
    note.setAttribute('role', 'alert');
  }
  return s;
}
