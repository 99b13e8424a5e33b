import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO } from '../fixtures/cache';

/** Where screenshots go (CI keeps the folder as an artifact). */
export const SCREENSHOTS = join(REPO, 'artifacts', 'screenshots');

/** Debian's Chromium (installed by scripts/provision_test_deps.sh), or FITLAKE_CHROMIUM; Playwright never downloads one. */
export function chromiumPath(): string {
  for (const p of [process.env.FITLAKE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p;
  throw new Error('Chromium not found: `npm test` installs Debian\'s chromium first (scripts/provision_test_deps.sh), or set FITLAKE_CHROMIUM to a Chromium binary');
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** Everything a page did wrong while open: console errors and warnings, uncaught errors, failed requests, 4xx/5xx answers. */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => void ((m.type() === 'error' || m.type() === 'warning') && problems.push(`console ${m.type()}: ${m.text()}`)));
  page.on('pageerror', (e) => void problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => void (r.failure()?.errorText !== 'net::ERR_ABORTED' && problems.push(`failed request ${r.url()}: ${r.failure()?.errorText}`)));
  page.on('response', (r) => void (r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`)));
  return problems;
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is (injected over CDP, so the page's CSP stays on). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  // a string: it runs in the page (this project compiles without the DOM's types)
  const found = await page.evaluate<{ id: string; impact: string; help: string; target: string }[]>(
    `axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, target: String(v.nodes[0]?.target ?? '') })))`,
  );
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.target}`);
}

/** A full-page screenshot under SCREENSHOTS. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
