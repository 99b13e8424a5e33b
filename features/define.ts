import { z } from 'zod';
import { DataError } from '../core/errors';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower_snake_case');

/** Something features describe: a member, a product, a class type. */
export const EntitySchema = z
  .object({
    name: Name,
    /** Column that identifies it in every source and entity dataframe. */
    joinKey: Name,
    description: z.string().min(1),
  })
  .strict();
export type Entity = z.infer<typeof EntitySchema>;

export const FEATURE_TYPES = ['int', 'float', 'string', 'bool'] as const;
export const FeatureSchema = z
  .object({
    name: Name,
    type: z.enum(FEATURE_TYPES),
    description: z.string().min(1),
    /** SQL over the view's window columns (`<column>_<days>d`, `last_<column>_date`) and the spine's `date`. */
    expr: z.string().optional(),
  })
  .strict();
export type Feature = z.infer<typeof FeatureSchema>;

/**
 * Where a view's rows come from. `sql`: a file in features/sources/ returning one row per entity
 * and `feature_ts` (plus `created_ts`), features as columns. `windowed`: a file returning facts
 * (join key, `d` = the event's local date, `avail` = the date it became known, measure columns),
 * aggregated over trailing day windows at every row of a spine — the features are exprs over those.
 * A view whose spine has many rows is built in buckets of keys (see `buildBuckets`), each bucket
 * reading only its keys' spine rows and facts; the buckets' files together are the table.
 * `events`: one row per event, read as of a time by `getEvents`, offline only.
 * `stream`: aggregations over bronze events, computed online by the stream and offline from bronze.
 */
/** Feeds a streaming view may aggregate: events that name a member. */
export const STREAM_FEEDS = ['class_checkins', 'facility_usage', 'retail_sales', 'app_events', 'equipment_usage'] as const;

/**
 * One aggregation of a streaming view, per member: over the gym-local day of the member's latest event
 * (`window: 'day'`) or over everything (`'all'`). `count` events, `count_distinct` values of `field`,
 * `sum` of `field` (times `times`, e.g. quantity × unit_price), `last` value of `field` by event time
 * (`field: 'event_time'`: the time itself, ISO 8601).
 */
export const AggregationSchema = z
  .object({
    name: Name,
    feed: z.enum(STREAM_FEEDS),
    op: z.enum(['count', 'count_distinct', 'sum', 'last']),
    field: Name.optional(),
    times: Name.optional(),
    window: z.enum(['day', 'all']),
  })
  .strict()
  .refine((a) => a.op === 'count' || a.field !== undefined, { message: 'count_distinct, sum and last need a field' })
  .refine((a) => a.op !== 'last' || a.window === 'all', { message: "last is over window 'all'" });
export type Aggregation = z.infer<typeof AggregationSchema>;

export const SourceSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('sql'),
      file: Name,
      /**
       * The spine the file reads, if any: the file then returns one row per spine row (its feature_ts
       * and created_ts), and the view is stored with the other views of that spine.
       */
      spine: Name.optional(),
      /**
       * A source file returning `day` (a local date) with the input rows the view reads that took
       * effect that day: an incremental build rebuilds the view from the first day whose rows changed.
       * Without it, any change to the lakehouse rebuilds the view's table from its first day.
       */
      changes: Name.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('windowed'),
      file: Name,
      /** A source file giving (join key, date, feature_ts, created_ts): the rows the view has. */
      spine: Name,
      /** Trailing sums: measure column → window lengths in days, e.g. `{ visits: [7, 30, 90] }` gives `visits_7d`… */
      sums: z.record(Name, z.array(z.number().int().min(1).max(3650)).min(1)),
      /** Measures whose latest known event date is kept as `last_<column>_date`. */
      lastDates: z.array(Name).default([]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('events'),
      /**
       * A file in features/sources/ returning one row per event: the join key, `feature_ts` (when it
       * happened), `created_ts` (when it became known) and the features. Training reads every event
       * known at a time (`getEvents`: interactions, daily sales), never just the latest per entity.
       */
      file: Name,
    })
    .strict(),
  z
    .object({
      kind: z.literal('stream'),
      /**
       * Aggregations over bronze events, one definition for both paths: `fitlake stream` folds each
       * event into the online store within seconds, and the offline build computes the same values
       * from bronze for point-in-time training sets (a row per member and event time). Features are
       * the aggregations by name, plus `live_day`: the local day the `day` windows are for.
       */
      aggregations: z.array(AggregationSchema).min(1),
    })
    .strict(),
]);
export type Source = z.infer<typeof SourceSchema>;

/** A view's fields; `FeatureViewSchema` adds the checks across them. */
export const FeatureViewObjectSchema = z
  .object({
    name: Name,
    entities: z.array(Name).min(1),
    description: z.string().min(1),
    source: SourceSchema,
    /** Max age of a value, e.g. '2d' or '36h': older values are null offline and OUTSIDE_MAX_AGE online. 0 = no limit. */
    ttl: z.string().regex(/^\d+(s|m|h|d)$/, 'like "2d", "36h"'),
    schema: z.array(FeatureSchema).min(1),
    online: z.boolean().default(true),
  })
  .strict();
export const FeatureViewSchema = FeatureViewObjectSchema.refine((v) => v.source.kind !== 'events' || !v.online, { message: 'an events view is read offline, as of a time (getEvents), and has no latest value to serve: set online: false', path: ['online'] });
export type FeatureView = z.infer<typeof FeatureViewSchema>;

/** Whether a view holds events (read as of a time with `getEvents`) rather than values per entity and time. */
export const isEventsView = (v: FeatureView): boolean => v.source.kind === 'events';

export const FeatureServiceSchema = z
  .object({
    name: Name,
    description: z.string().min(1),
    /** `view` (all its features) or `view:feature`. */
    features: z.array(z.string().min(1)).min(1),
  })
  .strict();
export type FeatureService = z.infer<typeof FeatureServiceSchema>;

function parse<T>(schema: z.ZodType<T>, spec: unknown, what: string): T {
  const r = schema.safeParse(spec);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new DataError(`invalid ${what} definition: ${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}

export const defineEntity = (spec: z.input<typeof EntitySchema>): Entity => parse(EntitySchema, spec, `entity ${spec.name}`);
export const defineFeatureView = (spec: z.input<typeof FeatureViewSchema>): FeatureView => parse(FeatureViewSchema, spec, `feature view ${spec.name}`);
export const defineFeatureService = (spec: z.input<typeof FeatureServiceSchema>): FeatureService => parse(FeatureServiceSchema, spec, `feature service ${spec.name}`);

/** A view's TTL in milliseconds (0 = unlimited). */
export function ttlMs(ttl: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(ttl);
  if (!m) throw new DataError(`bad ttl "${ttl}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
