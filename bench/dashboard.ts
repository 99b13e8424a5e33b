import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { loadConfig } from '../core/config';
import { silentLogger } from '../core/logger';
import { createApp } from '../serving/app';
import { PAGES } from '../serving/dashboard/shell';
import { buildContext, httpServer } from '../serving/server';
import { median } from './stats';

const DATA = ['overview', 'activity', 'revenue', 'churn', 'at-risk?limit=50', 'what-if-inputs', 'forecast', 'models'];
const ROUNDS = 3;
const TARGET_MS = 1000;

async function time(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return performance.now() - t;
}

/**
 * The dashboard on a trained lakehouse (`FITLAKE_BENCH_LAKE=DIR`, or `fitlake train --scale S` into a
 * temporary one): each page's data cold (the first request after start, before any warming) and
 * warm, then each page in Debian's Chromium from navigation to the page's module done, `ROUNDS`
 * times. Screenshots (1280 × 800) go to artifacts/dashboard/ (the README's come from the small gym).
 */
export async function dashboard(scale: string): Promise<Record<string, unknown>> {
  const reuse = process.env.FITLAKE_BENCH_LAKE;
  const root = reuse ?? mkdtempSync(join(tmpdir(), 'fitlake-bench-'));
  if (!reuse) execFileSync(process.execPath, [join(__dirname, '..', 'bin', 'fitlake.js'), '--lakehouse', root, '--log-level', 'warn', 'train', '--scale', scale], { stdio: 'inherit' });
  const config = loadConfig({ lakehouse: root, logLevel: 'silent' }, {}, root);
  // no background warming: the first request of each dataset is measured cold
  const { ctx, close } = await buildContext({ ...config, serving: { ...config.serving, reloadIntervalMs: 0 } }, silentLogger, {});
  const server = httpServer(createApp({ ...ctx, rateLimitPerMinute: 0, requestLogs: false }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: process.env.FITLAKE_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const data = [];
    for (const d of DATA) {
      const cold = await time(`${base}/ui/data/${d}`);
      const warm = median(await Promise.all(Array.from({ length: ROUNDS }, () => time(`${base}/ui/data/${d}`))));
      data.push({ data: d, coldMs: cold, warmMs: warm });
    }
    console.table(data.map((r) => ({ ...r, coldMs: r.coldMs.toFixed(0), warmMs: r.warmMs.toFixed(1) })));
    const shots = join(__dirname, '..', 'artifacts', 'dashboard');
    mkdirSync(shots, { recursive: true });
    const pages = [];
    for (const name of Object.keys(PAGES)) {
      const loads: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        const t = performance.now();
        await page.goto(`${base}/ui/${name}`);
        await page.waitForSelector('main[data-ready]', { timeout: 60_000 });
        loads.push(performance.now() - t);
        if (i === ROUNDS - 1) await page.screenshot({ path: join(shots, `${name}.png`) });
        await page.close();
      }
      pages.push({ page: name, firstMs: loads[0], medianMs: median(loads), maxMs: Math.max(...loads) });
    }
    console.table(pages.map((p) => ({ ...p, firstMs: p.firstMs.toFixed(0), medianMs: p.medianMs.toFixed(0), maxMs: p.maxMs.toFixed(0) })));
    const worst = Math.max(...pages.map((p) => p.maxMs));
    console.log(`target: every page loads in ≤ ${TARGET_MS} ms once its data is prepared (worst ${worst.toFixed(0)} ms) → ${worst <= TARGET_MS ? 'met' : 'NOT met'}; screenshots in ${shots}`);
    return { benchmark: 'dashboard', scale, lake: reuse ? 'FITLAKE_BENCH_LAKE' : 'built', data, pages, targets: { pageMs: TARGET_MS }, met: worst <= TARGET_MS };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
    await close();
    if (!reuse && existsSync(root)) rmSync(root, { recursive: true, force: true });
  }
}
