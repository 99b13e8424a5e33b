import type { RequestHandler } from 'express';
import { RateLimitError } from '../core/errors';

/** What the limiter decided for one request. */
export interface RateLimitState {
  /** Requests left to this client in the current window; negative once it is over the limit. */
  remaining: number;
  /** Whole seconds until the window resets. */
  resetSeconds: number;
}

/**
 * A fixed-window request limit per client key: one Map lookup per request, synchronous (no store
 * round trip, no promise). All clients share one window, so clearing the Map at its end both resets
 * every count and bounds memory to the clients seen within one window.
 */
export class RateLimiter {
  private readonly counts = new Map<string, number>();
  private windowEnd = 0;
  readonly windowSeconds: number;
  /** The IETF draft-7 `RateLimit-Policy` value, the same on every response. */
  readonly policy: string;

  constructor(
    /** Requests a client may send per window. */
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.windowSeconds = Math.round(windowMs / 1000);
    this.policy = `${limit};w=${this.windowSeconds}`;
  }

  /** Counts one request from `key`; `remaining` is negative when it is over the limit. */
  hit(key: string): RateLimitState {
    const now = this.clock();
    if (now >= this.windowEnd) {
      this.counts.clear();
      this.windowEnd = now + this.windowMs;
    }
    const used = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, used);
    return { remaining: this.limit - used, resetSeconds: Math.ceil((this.windowEnd - now) / 1000) };
  }

  /** The IETF draft-7 `RateLimit` value for one request's state. */
  header(state: RateLimitState): string {
    return `limit=${this.limit}, remaining=${Math.max(0, state.remaining)}, reset=${state.resetSeconds}`;
  }
}

/**
 * Refuses a client's requests beyond the limit with a 429 (`Retry-After` in seconds) and leaves the
 * decision on `req.rateLimit` for the response headers. The key is the peer address on the socket,
 * so a forwarded-for header cannot buy a client a fresh budget; behind trusted proxies
 * (`byForwardedFor`, the app's `trust proxy` set) it is the client address they forwarded.
 */
export function rateLimit(limiter: RateLimiter, byForwardedFor = false): RequestHandler {
  return (req, res, next) => {
    const state = limiter.hit((byForwardedFor ? req.ip : req.socket.remoteAddress) ?? 'unknown');
    req.rateLimit = state;
    if (state.remaining >= 0) return next();
    res.setHeader('retry-after', String(state.resetSeconds));
    next(new RateLimitError(`more than ${limiter.limit} requests per ${limiter.windowSeconds} s from this address`));
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The rate limiter's decision for this request (absent when no limit is configured). */
    rateLimit?: RateLimitState;
  }
}
