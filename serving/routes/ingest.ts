import type { IRouter } from 'express';
import { AppError, NotFoundError, UnavailableError, ValidationError } from '../../core/errors';
import { eventProblem, type FeedEvent } from '../../pipelines/events';
import { FEEDS, type FeedSpec } from '../../pipelines/feeds';
import type { ApiContext } from '../context';
import { parse, route, sendJson } from '../http';
import { IngestParams } from '../schemas';
import { checkKey } from './ops';

/** Most events in one POST /ingest/:feed request. */
export const MAX_INGEST_EVENTS = 5_000;
/** Largest request body /ingest accepts (bytes). */
export const MAX_INGEST_BYTES = 4 * 1024 * 1024;

/** The events of a request body, or a 400 naming the first event and field at fault. */
export function ingestEvents(feed: FeedSpec, body: unknown): FeedEvent[] {
  if (!Array.isArray(body)) throw new ValidationError('body: must be a JSON array of events', 'body');
  if (body.length === 0) throw new ValidationError('body: the array has no events', 'body');
  if (body.length > MAX_INGEST_EVENTS) throw new AppError('payload_too_large', `body: ${body.length} events; at most ${MAX_INGEST_EVENTS} per request`, { httpStatus: 413, exitCode: 2, field: 'body' });
  body.forEach((event, i) => {
    const p = eventProblem(feed, event);
    if (p) throw new ValidationError(`body[${i}]${p.field ? `.${p.field}` : ''}: ${p.message}`, p.field ? `body.${i}.${p.field}` : `body.${i}`);
  });
  return body as FeedEvent[];
}

/**
 * POST /ingest/:feed: a JSON array of a feed's events (X-API-Key, the FITLAKE_INGEST_API_KEY),
 * validated against the feed's contract as a whole (one bad event refuses the request, naming it).
 * 202 only once the configured source has made them durable (Kafka acks=all, or a fsynced landing
 * file); 503 with Retry-After when it cannot.
 */
export function ingestRoutes(router: IRouter, ctx: ApiContext): void {
  router.post(
    '/ingest/:feed',
    route(async (req, res) => {
      checkKey(ctx.ingestKey, req.get('x-api-key'), 'ingestion is disabled: set FITLAKE_INGEST_API_KEY');
      const { feed } = parse(IngestParams, req.params, 'path');
      const spec = FEEDS.find((f) => f.name === feed);
      if (!spec) throw new NotFoundError(`no feed "${feed}" (feeds: ${FEEDS.map((f) => f.name).join(', ')})`, 'feed');
      const events = ingestEvents(spec, req.body);
      if (!ctx.source) throw new UnavailableError('no event source is configured for this API');
      await ctx.source.append(spec, events);
      ctx.metrics.ingested(feed, events.length);
      sendJson(res, { feed, accepted: events.length, durable_in: ctx.source.type }, 202);
    }),
  );
}
