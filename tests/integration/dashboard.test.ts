import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import type { Express } from 'express';
import { silentLogger } from '../../core/logger';
import { createApp } from '../../serving/app';
import type { ApiContext } from '../../serving/context';
import { PAGES } from '../../serving/dashboard/shell';
import { buildContext, httpServer } from '../../serving/server';
import { scoreChurn } from '../../training/churn/model';
import { fixtureCopy, REPO } from '../fixtures/cache';
import { servingConfig } from '../fixtures/lakes';
import { queryLake } from '../helpers';
import { launchBrowser, screenshot, seriousViolations, watch } from './browser';

jest.setTimeout(240_000);

describe('dashboard (/ui) in a real browser over the served lakehouse', () => {
  const lake = fixtureCopy('serving');
  let ctx: ApiContext;
  let close: () => Promise<void>;
  let app: Express;
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    const config = servingConfig(lake.root);
    ({ ctx, close } = await buildContext({ ...config, serving: { ...config.serving, reloadIntervalMs: 0 } }, silentLogger, {}));
    app = createApp({ ...ctx, rateLimitPerMinute: 0, requestLogs: false });
    server = httpServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await close();
    lake.cleanup();
  });

  /** Opens a page at a width, waits for its module to finish, and returns what went wrong meanwhile. */
  async function open(path: string, width = 1280): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const problems = watch(page);
    await page.goto(`${base}${path}`);
    await page.waitForSelector('main[data-ready]');
    await page.waitForLoadState('networkidle');
    expect(await page.getAttribute('main', 'data-ready')).toBe('true');
    return { page, problems };
  }

  it.each(Object.keys(PAGES))('/ui/%s loads with no errors, every chart has marks, no serious accessibility violation', async (name) => {
    const { page, problems } = await open(`/ui/${name}`);
    try {
      expect(problems).toEqual([]);
      expect(await page.$$eval('.error', (n) => n.map((x) => x.textContent))).toEqual([]);
      const marks = await page.$$eval('figure.chart svg[role="img"]', (svgs) => svgs.map((s) => Number(s.getAttribute('data-marks'))));
      // models shows the runs' plots as images; live has no windows without a stream; what-if draws once an input changes
      if (!['models', 'live', 'what-if'].includes(name)) expect(marks.length).toBeGreaterThan(0);
      for (const m of marks) expect(m).toBeGreaterThan(0);
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, name);
    } finally {
      await page.close();
    }
  });

  it('shows the gold tables’ numbers: the DAU of the last day, each class type’s fill rate', async () => {
    const [dau] = await queryLake<{ date: string; active_members: number }>(lake.root, 'SELECT date::VARCHAR AS date, active_members FROM daily_active_members ORDER BY date DESC LIMIT 1');
    const { page } = await open('/ui/overview');
    expect(await page.textContent('[data-kpi="dau"]')).toBe(dau.active_members.toLocaleString('en-US'));
    expect(await page.textContent('.card:has([data-kpi="dau"]) dt')).toBe(`DAU on ${dau.date}`);
    const [wau] = await queryLake<{ week_start: string; active_members: number }>(lake.root, 'SELECT week_start::VARCHAR AS week_start, active_members FROM weekly_active_members WHERE days_in_data = 7 ORDER BY week_start DESC LIMIT 1');
    expect(await page.textContent('[data-kpi="wau"]')).toBe(wau.active_members.toLocaleString('en-US'));
    expect(await page.textContent('.card:has([data-kpi="wau"]) dt')).toBe(`WAU, week of ${wau.week_start}`);
    await page.close();
    const fill = await queryLake<{ class_type: string; fill_rate: number }>(lake.root, 'SELECT class_type, sum(checkins) / sum(seats) AS fill_rate FROM class_popularity GROUP BY 1');
    const act = (await open('/ui/activity')).page;
    const shown = await act.$$eval('figure:has(figcaption:text-is("Fill rate by class type (check-ins / seats)")) tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(shown.length).toBe(fill.length);
    for (const f of fill) expect(shown.find((r) => r[0] === f.class_type)?.[4]).toBe(`${(f.fill_rate * 100).toFixed(1)}%`);
    await act.close();
  });

  it('the at-risk list links to a member page whose churn score is POST /predict/churn’s, with names only there', async () => {
    const { page } = await open('/ui/churn');
    const list = page.locator('section:has(h2:text-is("Members at risk"))');
    expect(await list.locator('th[aria-sort="descending"]').textContent()).toBe('Churn probability ↓');
    await list.locator('button[data-sort="member_id"]').click();
    await list.locator('th[aria-sort="descending"]', { hasText: 'Member' }).waitFor();
    const ids = await list.locator('tbody tr td:first-child').allTextContents();
    expect(ids).toEqual([...ids].sort().reverse());
    await list.locator('button[data-sort="probability"]').click();
    await list.locator('th[aria-sort="descending"]', { hasText: 'Churn probability' }).waitFor();
    const first = list.locator('tbody tr').first();
    const member = (await first.locator('a').textContent())!;
    expect(await page.textContent('main')).not.toContain('first_name');
    await first.locator('a').click();
    await page.waitForURL(`**/ui/members/${member}`);
    await page.waitForSelector('main[data-ready="true"]');
    const shown = Number(await page.getAttribute('[data-churn-probability]', 'data-churn-probability'));
    const api = await request(app).post('/predict/churn').send({ member_id: member }).expect(200);
    expect(shown).toBe(api.body.churn_probability);
    const [profile] = await queryLake<{ first_name: string; last_name: string }>(lake.root, `SELECT first_name, last_name FROM dim_member WHERE is_current AND member_id = '${member}'`);
    expect(await page.textContent('.card dd')).toBe(`${profile.first_name} ${profile.last_name}`);
    expect(await page.$$eval('ol.recs li', (li) => li.length)).toBeGreaterThan(0);
    await screenshot(page, 'member');
    await page.close();
  });

  it('the what-if page moves the probability as the model says', async () => {
    const churn = ctx.models.current().churn!;
    const member = (await request(app).get('/ui/data/at-risk?limit=1').expect(200)).body.rows[0].member_id as string;
    const { page, problems } = await open(`/ui/what-if?member=${member}`);
    await page.fill('input[name="visits_30d"]', '20');
    await page.dispatchEvent('input[name="visits_30d"]', 'change');
    await page.locator('p:has([data-probability-what-if])', { hasText: 'visits_30d = 20' }).waitFor();
    const [f] = await churn.reader.read([member], ctx.now());
    const [now, then] = scoreChurn(churn.model, [f.values, { ...f.values, visits_30d: 20 }]);
    expect(Number(await page.getAttribute('[data-probability-now]', 'data-probability-now'))).toBe(now.probability);
    expect(Number(await page.getAttribute('[data-probability-what-if]', 'data-probability-what-if'))).toBe(then.probability);
    expect(then.probability).not.toBe(now.probability);
    expect(Number(await page.getAttribute('figure.chart svg[role="img"]', 'data-marks'))).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('works at a phone’s width: nothing wider than the screen', async () => {
    for (const name of ['overview', 'churn', 'forecast']) {
      const { page } = await open(`/ui/${name}`, 390);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await screenshot(page, `${name}-phone`);
      await page.close();
    }
  });

  it('is reachable by keyboard: the skip link, then the navigation', async () => {
    const { page } = await open('/ui/overview');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>("document.activeElement.getAttribute('href')")).toBe('/ui/overview');
    await page.close();
  });

  it('`fitlake dashboard` serves the pages and says where', async () => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'fitlake.js'), 'dashboard', '--port', '0'], { env: { ...process.env, FITLAKE_LAKEHOUSE: lake.root, FITLAKE_LOG_LEVEL: 'warn', TZ: 'UTC' }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let said = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr!.on('data', (d: Buffer) => {
          said += d.toString();
          const m = /fitlake dashboard: (http:\/\/127\.0\.0\.1:\d+\/ui)\n/.exec(said);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${said}`)));
      });
      const res = await fetch(`${url}/overview`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await res.text()).toContain('<main id="main" tabindex="-1" data-page="overview" data-time-zone="America/New_York">');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  describe('bad requests are refused, naming what is wrong', () => {
    const error = async (method: 'get' | 'post', path: string, status: number, body?: object) => {
      const res = method === 'get' ? await request(app).get(path) : await request(app).post(path).send(body);
      expect(res.status).toBe(status);
      return res.body.error as { code: string; message: string; field?: string };
    };

    it('pages and data', async () => {
      expect((await request(app).get('/ui').expect(302)).headers.location).toBe('/ui/overview');
      expect(await error('get', '/ui/nope', 404)).toMatchObject({ field: 'page', message: expect.stringContaining('no dashboard page nope (pages: overview, activity') });
      expect(await error('get', '/ui/data/at-risk?band=extreme', 400)).toMatchObject({ field: 'band', message: expect.stringContaining('query.band') });
      expect(await error('get', '/ui/data/at-risk?limit=5000', 400)).toMatchObject({ field: 'limit' });
      expect(await error('get', '/ui/data/at-risk?colour=red', 400)).toMatchObject({ field: 'colour', message: 'query: unknown field(s): colour' });
      expect(await error('get', '/ui/data/forecast?service_level=2', 400)).toMatchObject({ field: 'service_level', message: 'query.service_level: service_level is between 0.5 and 0.999' });
      expect(await error('get', '/ui/data/members/M..1', 400)).toMatchObject({ field: 'member' });
      expect(await error('get', '/ui/data/members/M9999999', 404)).toMatchObject({ field: 'member', message: 'no member M9999999 in silver dim_member' });
      expect(await error('get', '/ui/data/plots/churn/1/secrets.txt', 400)).toMatchObject({ field: 'file' });
      expect(await error('get', '/ui/data/plots/churn/99/roc.svg', 404)).toMatchObject({ field: 'version', message: 'model churn has no version 99' });
      expect(await error('get', '/ui/assets/../../package.json', 404)).toMatchObject({ code: 'not_found' });
      expect(await error('get', '/ui/quality/latest', 400)).toMatchObject({ field: 'run' });
      expect(await error('get', '/ui/quality/20000101T000000Z', 404)).toMatchObject({ field: 'run', message: 'no quality run 20000101T000000Z' });
      expect(await error('get', '/ui/data/plots/churn/1/pr.svg', 404)).toMatchObject({ field: 'file', message: 'no plot pr.svg (plots: plots/roc.svg, plots/calibration.svg)' });
      expect(await error('get', '/ui/assets/nope.js', 404)).toMatchObject({ field: 'path', message: 'no dashboard asset nope.js' });
      // the overview's link to the latest quality report, and a run's plot, are served
      const { quality } = (await request(app).get('/ui/data/overview').expect(200)).body as { quality: { run_id: string } };
      expect((await request(app).get(`/ui/quality/${quality.run_id}`).expect(200)).text).toContain(quality.run_id);
      expect((await request(app).get('/ui/data/plots/churn/1/roc.svg').expect(200).expect('content-type', 'image/svg+xml')).body.toString()).toMatch(/^<svg/);
    });

    it('answers 503 naming why when the API has no dashboard', async () => {
      const bare = createApp({ ...ctx, dashboard: undefined, rateLimitPerMinute: 0, requestLogs: false });
      const res = await request(bare).get('/ui/data/overview').expect(503);
      expect(res.body.error.message).toBe('the dashboard is not available in this API (no lakehouse to read)');
    });

    it('POST /predict/churn/what-if', async () => {
      const member = (await request(app).get('/ui/data/at-risk?limit=1').expect(200)).body.rows[0].member_id as string;
      expect(await error('post', '/predict/churn/what-if', 400, { member_id: member, set: { shoe_size: 44 } })).toMatchObject({ field: 'set.shoe_size', message: expect.stringContaining('set.shoe_size: the churn model v1 does not read shoe_size (it reads visits_7d') });
      expect(await error('post', '/predict/churn/what-if', 400, { member_id: member, set: { visits_30d: 'many' } })).toMatchObject({ field: 'set.visits_30d', message: 'set.visits_30d: visits_30d is a number' });
      expect(await error('post', '/predict/churn/what-if', 400, { member_id: member, set: { plan: 3 } })).toMatchObject({ field: 'set.plan', message: expect.stringContaining('set.plan: plan is a category') });
      expect(await error('post', '/predict/churn/what-if', 400, { member_id: member, set: { plan: 'platinum' } })).toMatchObject({ field: 'set.plan', message: expect.stringMatching(/^set\.plan: "platinum" is not a plan the model knows \(basic, .*student.*\)$/) });
      expect(await error('post', '/predict/churn/what-if', 400, { member_id: member, set: {} })).toMatchObject({ field: 'set', message: 'body.set: at least one feature to change' });
      expect(await error('post', '/predict/churn/what-if', 400, { member_id: member })).toMatchObject({ field: 'set' });
      expect(await error('post', '/predict/churn/what-if', 404, { member_id: 'M9999999', set: { visits_30d: 3 } })).toMatchObject({ field: 'member_id' });
      const ok = await request(app).post('/predict/churn/what-if').send({ member_id: member, set: { plan: 'student', visits_30d: 0 } }).expect(200);
      const churn = ctx.models.current().churn!;
      const [f] = await churn.reader.read([member], ctx.now());
      const [, then] = scoreChurn(churn.model, [f.values, { ...f.values, plan: 'student', visits_30d: 0 }]);
      expect(ok.body).toMatchObject({ member_id: member, set: { plan: 'student', visits_30d: 0 }, what_if: { churn_probability: then.probability, risk_band: then.band } });
      expect(ok.body.current.churn_probability).toBe((await request(app).post('/predict/churn').send({ member_id: member })).body.churn_probability);
    });
  });
});
