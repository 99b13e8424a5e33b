import { RateLimiter } from '../../../serving/rate_limit';

describe('RateLimiter', () => {
  it('allows `limit` requests per key in a window, refuses the rest, and starts over when the window ends', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(2, 60_000, () => now);
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('a')].map((s) => s.remaining)).toEqual([1, 0, -1]);
    expect(limiter.hit('b').remaining).toBe(1);
    now += 59_001;
    expect(limiter.hit('a')).toEqual({ remaining: -2, resetSeconds: 1 });
    now += 999;
    expect(limiter.hit('a')).toEqual({ remaining: 1, resetSeconds: 60 });
  });

  it('describes itself in IETF draft-7 RateLimit header values', () => {
    const limiter = new RateLimiter(100, 60_000, () => 0);
    expect(limiter.policy).toBe('100;w=60');
    expect(limiter.header(limiter.hit('a'))).toBe('limit=100, remaining=99, reset=60');
    for (let i = 0; i < 150; i++) limiter.hit('a');
    expect(limiter.header(limiter.hit('a'))).toBe('limit=100, remaining=0, reset=60');
  });
});
