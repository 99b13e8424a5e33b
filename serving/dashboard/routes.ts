import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IRouter, Response } from 'express';
import { z } from 'zod';
import { NotFoundError, UnavailableError } from '../../core/errors';
import { qualityDir } from '../../pipelines/quality/report';
import type { ApiContext } from '../context';
import { parse, route } from '../http';
import { MemberParams, NoQuery } from '../schemas';
import type { Dashboard } from './dashboard';
import { loadAssets, pageHtml, PAGES, UI_CSP, type PageName } from './shell';

const AtRiskQuery = z
  .object({
    club: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a club id').optional(),
    band: z.enum(['low', 'medium', 'high']).optional(),
    sort: z.enum(['probability', 'member_id', 'club_id']).default('probability'),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int('limit must be a whole number').min(1).max(500).default(50),
  })
  .strict();

const ForecastOptions = z
  .object({
    weeks: z.coerce.number().int('weeks must be a whole number').min(4).max(8).default(4),
    lead_time_weeks: z.coerce.number().int('lead_time_weeks must be a whole number').min(1).max(8).default(2),
    service_level: z.coerce.number().min(0.5, 'service_level is between 0.5 and 0.999').max(0.999, 'service_level is between 0.5 and 0.999').default(0.95),
  })
  .strict();

const PlotParams = z.object({ name: z.string().regex(/^[\w-]{1,64}$/), version: z.string().regex(/^\d{1,9}$/, 'a version number'), file: z.string().regex(/^[\w-]{1,64}\.svg$/, 'an SVG file name') }).strict();
const RunParams = z.object({ run: z.string().regex(/^\d{8}T\d{6,9}Z$/, 'a quality run id such as 20260102T030405Z') }).strict();

const html = (res: Response, body: string) => void res.type('html').set('content-security-policy', UI_CSP).send(body);

/**
 * The dashboard under /ui: its pages (one HTML shell each, filled by its module), the static assets
 * (no CDN: the chart library is served from node_modules) and the pages' JSON under /ui/data/.
 */
export function dashboardRoutes(router: IRouter, ctx: ApiContext): void {
  const assets = loadAssets();
  const dash = (): Dashboard => {
    if (!ctx.dashboard) throw new UnavailableError('the dashboard is not available in this API (no lakehouse to read)');
    return ctx.dashboard;
  };
  router.get('/ui', (_req, res) => void res.redirect(302, '/ui/overview'));
  router.get('/ui/assets/*path', (req, res) => {
    const name = (req.params as { path: string[] }).path.join('/');
    const asset = assets.get(name);
    if (!asset) throw new NotFoundError(`no dashboard asset ${name.slice(0, 100)}`, 'path');
    res.set('cache-control', 'public, max-age=300').type(asset.type).send(asset.body);
  });
  router.get('/ui/members/:member', (req, res) => html(res, pageHtml('member', ctx.timeZone, parse(MemberParams, req.params, 'path').member)));
  router.get('/ui/quality/:run', (req, res) => {
    const { run } = parse(RunParams, req.params, 'path');
    const path = join(qualityDir(dash().root), run, 'report.html');
    if (!existsSync(path)) throw new NotFoundError(`no quality run ${run}`, 'run');
    res.type('html').set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'").send(readFileSync(path));
  });
  router.get('/ui/:page', (req, res) => {
    const page = req.params.page as PageName;
    if (!Object.hasOwn(PAGES, page)) throw new NotFoundError(`no dashboard page ${page.slice(0, 64)} (pages: ${Object.keys(PAGES).join(', ')})`, 'page');
    html(res, pageHtml(page, ctx.timeZone));
  });

  const data = (path: string, fn: (q: Record<string, unknown>, p: Record<string, string>) => Promise<unknown> | unknown) =>
    router.get(`/ui/data/${path}`, route(async (req, res) => void res.json(await fn(req.query, req.params as Record<string, string>))));
  const noQuery = (fn: () => unknown) => (q: Record<string, unknown>) => (parse(NoQuery, q, 'query'), fn());
  data('overview', noQuery(() => dash().overview()));
  for (const name of ['activity', 'revenue', 'churn'] as const) data(name, noQuery(() => dash().dataset(name)));
  data('at-risk', (q) => dash().atRiskList(parse(AtRiskQuery, q, 'query')));
  data('members/:member', (q, p) => (parse(NoQuery, q, 'query'), dash().member(parse(MemberParams, p, 'path').member)));
  data('what-if-inputs', noQuery(() => dash().whatIfInputs()));
  data('forecast', (q) => {
    const o = parse(ForecastOptions, q, 'query');
    return dash().forecast({ weeks: o.weeks, leadTimeWeeks: o.lead_time_weeks, serviceLevel: o.service_level });
  });
  data('models', noQuery(() => dash().models()));
  router.get(
    '/ui/data/plots/:name/:version/:file',
    route(async (req, res) => {
      const { name, version, file } = parse(PlotParams, req.params, 'path');
      const svg = await dash().plot(name, version, file);
      res.type('image/svg+xml').set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(svg);
    }),
  );
}
