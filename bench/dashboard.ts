import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../core/config';
import { silentLogger } from '../core/logger';
import { createApp } from '../serving/app';
import { PAGES } from '../serving/dashboard/shell';
import { lakeTables } from '../pipelines/runner/reader';
import { buildContext, httpServer } from '../serving/server';
import { freePort } from '../core/net';
import { peerPython } from './peers/python_env';
import { median } from './stats';

const DATA = ['overview', 'activity', 'revenue', 'churn', 'at-risk?limit=50', 'what-if-inputs', 'forecast', 'models'];
const ROUNDS = 3;
const STREAMLIT = 'streamlit==1.67.0';
const TARGET_MS = 1000;

async function time(url: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return performance.now() - t;
}

/** Milliseconds from navigation to `ready` (a selector) in a fresh browser context, `ROUNDS` times. */
async function loads(browser: Browser, url: string, ready: string, shot?: string, rounds = ROUNDS): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const t = performance.now();
    await page.goto(url);
    await page.waitForSelector(ready, { timeout: 60_000 });
    out.push(performance.now() - t);
    if (shot && i === rounds - 1) await page.screenshot({ path: shot });
    await page.close();
  }
  return out;
}

/**
 * The seed's dashboard, Streamlit, showing the overview's key figures and DAU chart from the same
 * gold files (`peers/streamlit_overview.py`): its page load to the chart drawn, `ROUNDS` times.
 */
async function streamlitOverview(root: string, browser: Browser): Promise<number[]> {
  const python = peerPython([STREAMLIT], 'streamlit');
  const port = await freePort();
  const env = { ...process.env, FITLAKE_GOLD_TABLES: JSON.stringify(lakeTables(root).gold) };
  const args = ['-m', 'streamlit', 'run', join(__dirname, 'peers', 'streamlit_overview.py'), '--server.headless', 'true', '--browser.gatherUsageStats', 'false', '--server.port', String(port), '--server.address', '127.0.0.1'];
  const proc = spawn(python, args, { env, stdio: 'ignore' });
  try {
    for (const deadline = Date.now() + 60_000; !(await fetch(`http://127.0.0.1:${port}/_stcore/health`).then((r) => r.ok, () => false)); ) {
      if (Date.now() > deadline) throw new Error('streamlit did not start in 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const url = `http://127.0.0.1:${port}/`;
    const chart = '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg';
    await loads(browser, url, chart, undefined, 1); // the app's first run reads the tables into its cache, as fitlake's data were prepared above
    return await loads(browser, url, chart, join(__dirname, '..', 'artifacts', 'dashboard', 'streamlit-overview.png'));
  } finally {
    proc.kill('SIGTERM');
  }
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
    // what `fitlake serve` does at start and after each change of the lakehouse, online data or models
    const warmed = performance.now();
    await ctx.dashboard!.warm();
    console.log(`the rest of Dashboard.warm (the datasets above are cached; a member page's tables): ${(performance.now() - warmed).toFixed(0)} ms`);
    const shots = join(__dirname, '..', 'artifacts', 'dashboard');
    mkdirSync(shots, { recursive: true });
    const pages = [];
    for (const name of Object.keys(PAGES)) {
      const ms = await loads(browser, `${base}/ui/${name}`, 'main[data-ready]', join(shots, `${name}.png`));
      pages.push({ page: name, firstMs: ms[0], medianMs: median(ms), maxMs: Math.max(...ms) });
    }
    // a member page (not cached: the member's rows are read on each visit), the at-risk list's first
    const top = ((await (await fetch(`${base}/ui/data/at-risk?limit=1`)).json()) as { rows: { member_id: string }[] }).rows[0].member_id;
    const member = await loads(browser, `${base}/ui/members/${top}`, 'main[data-ready]', join(shots, 'member.png'));
    pages.push({ page: 'members/:id', firstMs: member[0], medianMs: median(member), maxMs: Math.max(...member) });
    console.table(pages.map((p) => ({ ...p, firstMs: p.firstMs.toFixed(0), medianMs: p.medianMs.toFixed(0), maxMs: p.maxMs.toFixed(0) })));
    const worst = Math.max(...pages.map((p) => p.maxMs));
    const peer = await streamlitOverview(root, browser);
    const ours = pages.find((p) => p.page === 'overview')!;
    const ratio = median(peer) / ours.medianMs;
    console.log(`overview, median of ${ROUNDS}: fitlake ${ours.medianMs.toFixed(0)} ms (every section) vs Streamlit ${median(peer).toFixed(0)} ms (key figures and the DAU chart) → ${ratio.toFixed(1)}× faster`);
    console.log(`targets: every page ≤ ${TARGET_MS} ms once its data is prepared (worst ${worst.toFixed(0)} ms) → ${worst <= TARGET_MS ? 'met' : 'NOT met'}; overview no slower than Streamlit → ${ratio >= 1 ? 'met' : 'NOT met'}; screenshots in ${shots}`);
    return { benchmark: 'dashboard', scale, lake: reuse ? 'FITLAKE_BENCH_LAKE' : 'built', data, pages, peer: { name: STREAMLIT, overviewMs: peer, ratio }, targets: { pageMs: TARGET_MS, overviewVsStreamlit: 1 }, met: worst <= TARGET_MS && ratio >= 1 };
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
    await close();
    if (!reuse && existsSync(root)) rmSync(root, { recursive: true, force: true });
  }
}
