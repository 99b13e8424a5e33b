import type { IRouter } from 'express';
import { NotFoundError, UnavailableError } from '../../core/errors';
import type { ApiContext } from '../context';
import { parse, route, sendJson } from '../http';
import { MemberParams, RecommendQuery } from '../schemas';
import { recentCheckin, slotOfCheckin } from '../live_checkin';

/**
 * GET /recommend/:member?kind=classes|products&k=10&list=all|again|new — the model's scores (factors
 * blended with the member's own history), only what the member had before, or only what is new to
 * them; popularity at the member's club on cold start. For classes, the slot the member checked into
 * in the last 3 hours (from the live features the stream keeps online) is left out.
 */
export function recommendRoutes(router: IRouter, ctx: ApiContext): void {
  router.get(
    '/recommend/:member',
    route(async (req, res) => {
      const { member } = parse(MemberParams, req.params, 'path');
      const { kind, k, list } = parse(RecommendQuery, req.query, 'query');
      const rec = ctx.models.current().recommenders[kind];
      if (!rec) throw new UnavailableError(`recommender-${kind} not loaded: ${ctx.models.current().errors[`recommender-${kind}`] ?? 'loading'}`);
      let club: string | null = null;
      if (!rec.model.knows(member)) {
        const [profile] = await ctx.memberProfile.read([member], ctx.now());
        if (profile.freshness === 'missing') throw new NotFoundError(`member ${member} is unknown to the recommender and the online store`, 'member');
        club = typeof profile.values.home_club === 'string' ? profile.values.home_club : null;
      }
      let live: { at: Date; club: string } | null = null;
      if (kind === 'classes' && ctx.memberLive) {
        const [f] = await ctx.memberLive.read([member], ctx.now());
        live = f && f.freshness !== 'missing' ? recentCheckin(f.values, ctx.now()) : null;
      }
      const skipped: string[] = [];
      const skip = live
        ? (id: string) => {
            const hit = slotOfCheckin(id, live, ctx.timeZone);
            if (hit) skipped.push(id);
            return hit;
          }
        : undefined;
      const out = rec.model.recommend(member, k, club, skip, list);
      ctx.metrics.predictions.add(rec, () => ({ model: rec.name, version: rec.version }));
      if (out.fallback) ctx.metrics.fallbacks.add(kind, () => ({ kind }));
      sendJson(res, {
        member_id: member,
        kind,
        list,
        fallback: out.fallback,
        items: out.items,
        model: { name: rec.name, version: rec.version, alias: rec.alias },
        ...(live ? { just_checked_in: { at: live.at.toISOString(), club_id: live.club, skipped } } : {}),
      });
    }),
  );
}
