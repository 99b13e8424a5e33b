import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';

/** The dashboard's pages, in the navigation's order (path under /ui/ → title). */
export const PAGES = {
  overview: 'Overview',
  activity: 'Activity',
  revenue: 'Revenue',
  churn: 'Churn',
  recommendations: 'Recommendations',
  forecast: 'Forecast',
  models: 'Models',
  'what-if': 'What-if',
  live: 'Live',
} as const;
export type PageName = keyof typeof PAGES;

/**
 * The pages' policy: scripts and data from this server only (no CDN, no inline script), inline style
 * attributes allowed (the chart library sets them on SVG marks), images from here or data: URIs.
 */
export const UI_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One page's HTML: the navigation, an empty main the page's module fills (times shown in the gym's `timeZone`), the scripts. */
export function pageHtml(page: PageName | 'member', timeZone: string, member?: string): string {
  const title = page === 'member' ? `Member ${member}` : PAGES[page];
  const links = Object.entries(PAGES)
    .map(([p, t]) => `<li><a href="/ui/${p}"${p === page || (page === 'member' && p === 'churn') ? ' aria-current="page"' : ''}>${t}</a></li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · fitlake</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/ui/assets/style.css"></head>
<body><a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="/ui/overview">fitlake</a><nav aria-label="Pages"><ul>${links}</ul></nav></header>
<main id="main" tabindex="-1" data-page="${page}" data-time-zone="${esc(timeZone)}"${member ? ` data-member="${esc(member)}"` : ''}><h1>${esc(title)}</h1><p class="status" role="status">Loading…</p></main>
<script src="/ui/assets/vendor/d3.js"></script><script src="/ui/assets/vendor/plot.js"></script><script type="module" src="/ui/assets/app.js"></script>
</body></html>`;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The static files, read once: the dashboard's own (public/, pages/) and the chart library's builds from node_modules. */
export function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const dir = join(__dirname, 'public');
  const out = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const type = TYPES[extname(name)];
    if (type) out.set(name.split('\\').join('/'), { body: readFileSync(join(dir, name)), type });
  }
  out.set('vendor/d3.js', { body: readFileSync(packageFile('d3', 'dist/d3.min.js')), type: TYPES['.js'] });
  out.set('vendor/plot.js', { body: readFileSync(packageFile('@observablehq/plot', 'dist/plot.umd.min.js')), type: TYPES['.js'] });
  return out;
}

/** A file of an installed package that its `exports` do not name (the browser builds): found from the package's root. */
export function packageFile(pkg: string, file: string): string {
  let dir = dirname(createRequire(__filename).resolve(pkg));
  while (!existsSync(join(dir, 'package.json')) || (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== pkg) {
    if (dirname(dir) === dir) throw new Error(`package ${pkg} has no root folder`);
    dir = dirname(dir);
  }
  return join(dir, file);
}
