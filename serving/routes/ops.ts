import { timingSafeEqual } from 'node:crypto';
import type { IRouter } from 'express';
import { AuthError, NotFoundError, UnavailableError } from '../../core/errors';
import type { ApiContext } from '../context';
import { parse, route } from '../http';
import { servedList } from '../models';
import { DOCS_CSP, docsPage, openApiDocument } from '../openapi';
import { MemberParams, NoQuery } from '../schemas';

/** Refuses a request whose X-API-Key is not `expected` (`disabled`: the message when no key is configured). */
export function checkKey(expected: string | undefined, given: unknown, disabled = 'the admin API is disabled: set FITLAKE_ADMIN_API_KEY'): void {
  if (!expected) throw new AuthError(disabled);
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new AuthError('missing or wrong X-API-Key');
}

/** Member features, models, admin reload, health, readiness, metrics and the API description. */
export function opsRoutes(router: IRouter, ctx: ApiContext): void {
  const doc = openApiDocument(ctx.maxBatch);
  const page = docsPage(doc);
  router.get('/openapi.json', (_req, res) => void res.json(doc));
  router.get('/docs', (_req, res) => void res.type('html').set('content-security-policy', DOCS_CSP).send(page));
  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  router.get(
    '/readyz',
    route(async (_req, res) => {
      const list = servedList(ctx.models.current());
      const stale = ctx.models.storeError();
      let online = stale ? `serving the values loaded before: ${stale}` : 'ok';
      try {
        await ctx.memberProfile.read(['_readyz'], ctx.now());
      } catch (e) {
        online = `error: ${(e as Error).message}`;
      }
      const ready = !online.startsWith('error') && list.every((m) => m.version !== null);
      res.status(ready ? 200 : 503).json({ ready, models: Object.fromEntries(list.map((m) => [m.name, m.version ? `v${m.version}` : (m.error ?? 'not loaded')])), online_store: online });
    }),
  );
  router.get(
    '/metrics',
    route(async (_req, res) => {
      res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
    }),
  );
  router.get('/models', (_req, res) => {
    const set = ctx.models.current();
    res.json({ alias: ctx.models.alias, loaded_at: set.loadedAt, store_error: ctx.models.storeError(), models: servedList(set).map(({ alias: _a, ...m }) => m) });
  });
  router.post(
    '/admin/reload',
    route(async (req, res) => {
      checkKey(ctx.apiKey, req.get('x-api-key'));
      res.json({ changed: await ctx.models.reload() });
    }),
  );
  router.get(
    '/members/:member/features',
    route(async (req, res) => {
      const { member } = parse(MemberParams, req.params, 'path');
      parse(NoQuery, req.query, 'query');
      const [f] = await ctx.memberFeatures.read([member], ctx.now());
      if (!f) throw new UnavailableError('online store returned nothing');
      if (f.freshness === 'missing') throw new NotFoundError(`member ${member} has no features in the online store`, 'member');
      res.json({ member_id: member, features: f.values, feature_timestamp: f.featureTs, freshness: f.freshness, missing_views: f.missingViews, stale_views: f.staleViews });
    }),
  );
}
