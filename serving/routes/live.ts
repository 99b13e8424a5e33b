import type { IRouter } from 'express';
import { NotFoundError, UnavailableError } from '../../core/errors';
import type { ApiContext } from '../context';
import { parse, route, sendJson } from '../http';
import { MemberParams, NoQuery } from '../schemas';

const HEARTBEAT_MS = 15_000;

/**
 * Live occupancy from the 30-second windows `fitlake stream` commits: `GET /live/occupancy` (every
 * club at the end of its latest final window, and the recent windows) and `GET /live/stream`
 * (Server-Sent Events: the current occupancy, then each new batch of final windows as it lands), and
 * `GET /live/members/:member`: the member's live features (member_live) as the stream last wrote them.
 */
export function liveRoutes(router: IRouter, ctx: ApiContext): void {
  router.get(
    '/live/occupancy',
    route(async (req, res) => {
      parse(NoQuery, req.query, 'query');
      const live = ctx.live;
      if (!live) throw new UnavailableError('live windows are not available in this API');
      await live.poll();
      sendJson(res, { clubs: live.occupancyNow(), windows: live.recentWindows(), ...(live.error ? { error: live.error } : {}) });
    }),
  );
  router.get(
    '/live/members/:member',
    route(async (req, res) => {
      const { member } = parse(MemberParams, req.params, 'path');
      parse(NoQuery, req.query, 'query');
      if (!ctx.memberLive) throw new UnavailableError('no streaming feature view (member_live) is registered: run `fitlake features apply`');
      const [f] = await ctx.memberLive.read([member], ctx.now());
      if (!f || f.freshness === 'missing') throw new NotFoundError(`member ${member} has no live features in the online store`, 'member');
      sendJson(res, { member_id: member, features: f.values, feature_timestamp: f.featureTs, freshness: f.freshness });
    }),
  );
  router.get('/live/stream', (req, res) => {
    parse(NoQuery, req.query, 'query');
    const live = ctx.live;
    if (!live) throw new UnavailableError('live windows are not available in this API');
    res.writeHead(200, ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache', 'x-accel-buffering', 'no']);
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    send('occupancy', { clubs: live.occupancyNow() });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const unsubscribe = live.subscribe((rows) => {
      if (rows === null) return void res.end();
      send('windows', { windows: rows, clubs: live.occupancyNow() });
    });
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
