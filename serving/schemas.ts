import { z } from 'zod';

/** Member ids as the gym issues them; anything else (paths, dots, spaces) is refused before any lookup. */
export const MemberId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a member id is 1–64 letters, digits, _ or -').meta({ example: 'M0000042' });

export function predictChurnBody(maxBatch: number) {
  return z.union([
    z.object({ member_id: MemberId }).strict(),
    z.object({ member_ids: z.array(MemberId).min(1, 'at least one member id').max(maxBatch, `at most ${maxBatch} member ids per request`) }).strict(),
  ]);
}

export const WhatIfBody = z
  .object({
    member_id: MemberId,
    set: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a feature name (lowercase letters, digits and _)'), z.union([z.number().finite(), z.string().max(64)]))
      .refine((r) => Object.keys(r).length > 0, 'at least one feature to change')
      .meta({ description: "The member's inputs to change, by feature name: a number for a numeric feature, a category's value for a categorical one", example: { visits_30d: 12, plan: 'plus' } }),
  })
  .strict();

export const RecommendQuery = z
  .object({
    kind: z.enum(['classes', 'products']).default('classes'),
    k: z.coerce.number().int('k must be a whole number').min(1).max(50).default(10),
    list: z.enum(['all', 'again', 'new']).default('all').meta({ description: 'all: the model\'s ranking; again: only what the member had before ("buy again", "book again"); new: only what is new to them ("try something new")' }),
  })
  .strict();

export const ForecastQuery = z
  .object({
    weeks: z.coerce.number().int('weeks must be a whole number').min(1).max(8).default(4),
    sku: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a SKU is 1–64 letters, digits, _ or -').optional(),
  })
  .strict();

export const MemberParams = z.object({ member: MemberId }).strict();
export const IngestParams = z.object({ feed: z.string().regex(/^[a-z_]{1,40}$/, 'a feed name (lowercase letters and _)') }).strict();
/** GET /live/members/:member. */
export const MemberLive = z.object({ member_id: z.string(), features: z.record(z.string(), z.unknown()), feature_timestamp: z.string().nullable(), freshness: z.enum(['fresh', 'stale', 'partial', 'missing']) }).strict();
/** GET /live/occupancy. */
export const LiveOccupancy = z
  .object({
    clubs: z.array(z.object({ club_id: z.string(), occupancy: z.number(), window_end: z.string() }).strict()),
    windows: z.array(
      z.object({ window_start: z.string(), window_end: z.string(), metric: z.enum(['occupancy', 'entries', 'exits', 'class_checkins', 'retail_units', 'app_sessions']), club_id: z.string().nullable(), dimension: z.string().nullable(), value: z.number() }).strict(),
    ),
    error: z.string().optional(),
  })
  .strict();
/** 202 of POST /ingest/:feed. */
export const IngestAccepted = z.object({ feed: z.string(), accepted: z.number().int(), durable_in: z.enum(['landing', 'kafka']) }).strict();
export const NoQuery = z.object({}).strict();

const ModelRef = z.object({ name: z.string(), version: z.string(), alias: z.string() });
const Freshness = z.enum(['fresh', 'stale', 'partial', 'missing']).meta({ description: 'fresh: all features within their TTL; stale: some older than the TTL (treated as unknown); partial/missing: some/all views have no row' });

export const ChurnPrediction = z.object({
  member_id: z.string(),
  churn_probability: z.number().meta({ description: 'Probability of a cancellation taking effect within the model horizon (30 days).' }),
  risk_band: z.enum(['low', 'medium', 'high']),
  average_member_probability: z.number().meta({ description: "The average member's probability (every number at its training mean, every category at its training shares)." }),
  top_features: z.array(z.object({ feature: z.string(), value: z.unknown(), contribution: z.number().meta({ description: 'log-odds versus the average member; all contributions sum to logit(churn_probability) − logit(average_member_probability)' }) })),
  model: ModelRef,
  feature_timestamp: z.string().nullable(),
  freshness: Freshness,
  missing_features: z.array(z.string()),
});
export const WhatIf = z.object({
  member_id: z.string(),
  set: z.record(z.string(), z.union([z.number(), z.string()])),
  current: ChurnPrediction.meta({ description: "The member's prediction from their online features" }),
  what_if: ChurnPrediction.meta({ description: 'The prediction with the changed inputs (every other feature as it is online)' }),
});
export const ChurnBatch = z.object({
  predictions: z.array(z.union([ChurnPrediction, z.object({ member_id: z.string(), error: z.object({ code: z.string(), message: z.string() }) })])),
});

export const Recommendations = z.object({
  member_id: z.string(),
  kind: z.enum(['classes', 'products']),
  list: z.enum(['all', 'again', 'new']),
  fallback: z.boolean().meta({ description: 'true when the member is unknown to the model and popularity at their club was used' }),
  items: z.array(z.object({ item: z.string(), label: z.string(), score: z.number(), reason: z.string() })),
  model: ModelRef,
  just_checked_in: z
    .object({ at: z.string(), club_id: z.string(), skipped: z.array(z.string()) })
    .optional()
    .meta({ description: "classes: the member's class check-in of the last 3 hours (live features) and the weekly slots left out for it" }),
});

export const ForecastResponse = z.object({
  model: ModelRef,
  last_week: z.string(),
  series: z.array(
    z.object({
      sku: z.string(),
      name: z.string(),
      method: z.string(),
      forecast: z.array(z.object({ week: z.string(), mean: z.number(), lo80: z.number(), hi80: z.number(), lo95: z.number(), hi95: z.number() })),
      backtest: z.object({ mase: z.number(), smape: z.number(), coverage80: z.number(), coverage95: z.number() }),
    }),
  ),
});

export const MemberFeatures = z.object({ member_id: z.string(), features: z.record(z.string(), z.unknown()), feature_timestamp: z.string().nullable(), freshness: Freshness, missing_views: z.array(z.string()), stale_views: z.array(z.string()) });
export const Models = z.object({ alias: z.string(), loaded_at: z.string(), models: z.array(z.object({ name: z.string(), version: z.string().nullable(), run_id: z.string().nullable(), error: z.string().nullable() })) });
export const ErrorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional(), request_id: z.string().optional() }) });
export const Health = z.object({ status: z.string() });
export const Ready = z.object({ ready: z.boolean(), models: z.record(z.string(), z.string()), online_store: z.string() });
