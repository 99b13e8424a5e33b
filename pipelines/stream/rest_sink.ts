import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError, ValidationError } from '../../core/errors';
import type { FeedEvent } from '../events';
import type { FeedSpec } from '../feeds';
import type { EventSink } from './simulate';

const CHUNK = 5_000;

/**
 * Sends events to a fitlake API's POST /ingest/:feed (`apiKey`: its FITLAKE_INGEST_API_KEY), at most
 * 5,000 a request. A 503 is retried after its Retry-After (up to `retries` times); any other refusal
 * stops with the API's message.
 */
export function restSink(baseUrl: string, apiKey: string, retries = 5): EventSink {
  const base = baseUrl.replace(/\/+$/, '');
  return async (feed: FeedSpec, events: FeedEvent[]) => {
    for (let i = 0; i < events.length; i += CHUNK) {
      const body = JSON.stringify(events.slice(i, i + CHUNK));
      for (let attempt = 0; ; attempt++) {
        let res: Response;
        try {
          res = await fetch(`${base}/ingest/${feed.name}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body });
        } catch (e) {
          throw new UnavailableError(`cannot reach ${base}: ${(e as Error).message}`, e);
        }
        if (res.status === 202) break;
        const text = await res.text();
        if (res.status === 503 && attempt < retries) {
          await sleep(1000 * Number(res.headers.get('retry-after') ?? 1));
          continue;
        }
        const message = `${base}/ingest/${feed.name} answered ${res.status}: ${text.slice(0, 300)}`;
        throw res.status >= 500 ? new UnavailableError(message) : new ValidationError(message, 'url');
      }
    }
  };
}
