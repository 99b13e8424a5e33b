import { localDay } from '../core/dates';
import { eventTimeMs } from '../pipelines/event_time';
import type { FeedEvent } from '../pipelines/events';
import { feedSpec } from '../pipelines/feeds';
import { sqlIdent, sqlString } from '../pipelines/sql/quote';
import type { Aggregation, FeatureView } from './define';

type StreamSource = Extract<FeatureView['source'], { kind: 'stream' }>;
export type StreamView = FeatureView & { source: StreamSource };

/** The feature naming the gym-local day a streaming view's `day` windows are for. */
export const LIVE_DAY = 'live_day';

export const isStreamView = (v: FeatureView): v is StreamView => v.source.kind === 'stream';

/** The columns that identify one event (a duplicate delivery has the same): the feed's key, and a receipt's line. */
const eventKey = (feed: Aggregation['feed']) => (feed === 'retail_sales' ? ['txn_id', 'line_no'] : [feedSpec(feed).key]);

const pad = (ms: number) => String(ms).padStart(15, '0');
const round6 = (x: number) => Math.round(x * 1e6) / 1e6 + 0;

/**
 * The offline history of a streaming view, from bronze (engine-neutral SQL over `bronze_<feed>`):
 * every distinct event (its first delivery) of a member gives a row at its event time holding the
 * aggregations over the events at or before it, in (time, feed, event key) order — the order the
 * online fold (`LiveFold`) uses, so both compute the same values. `created_ts` is when the newest
 * event it includes became known: its ingestion for a Kafka record, the midnight after its landing
 * file's drop date for a file (as every other view counts landing files).
 */
export function streamViewSql(view: StreamView, key: string): string {
  const aggs = view.source.aggregations;
  const feeds = [...new Set(aggs.map((a) => a.feed))];
  const cols = (a: Aggregation) => [a.field, a.times].filter((f): f is string => f !== undefined && f !== 'event_time');
  const fieldCols = [...new Set(aggs.flatMap(cols))];
  const events = feeds.map((feed) => {
    const spec = { time: feedSpec(feed).eventTime, key: eventKey(feed) };
    const own = new Set(aggs.filter((a) => a.feed === feed).flatMap(cols));
    const fields = fieldCols.map((c) => `${own.has(c) ? `CAST(${sqlIdent(c)} AS STRING)` : 'CAST(NULL AS STRING)'} AS ${sqlIdent(`f_${c}`)}`);
    const ts = `fitlake_ts(${sqlIdent(spec.time)})`;
    const known = `CASE WHEN _source_file LIKE 'kafka:%' THEN _ingested_at ELSE fitlake_day_start(fitlake_known_date(fitlake_local_date(${ts}), _source_file, _batch_id)) END`;
    return `SELECT ${sqlString(feed)} AS feed, member_id AS k, ${ts} AS ts, ${known} AS created,
      concat_ws('/', ${spec.key.map((c) => `CAST(${sqlIdent(c)} AS STRING)`).join(', ')}) AS dedup, _batch_id, _source_file, _line_number${fields.length ? `, ${fields.join(', ')}` : ''}
    FROM ${sqlIdent(`bronze_${feed}`)}`;
  });
  const inFeed = (a: Aggregation, v: string) => `CASE WHEN feed = ${sqlString(a.feed)} THEN ${v} END`;
  const firsts = aggs.filter((a) => a.op === 'count_distinct').map((a) => `CASE WHEN feed = ${sqlString(a.feed)} AND ${sqlIdent(`f_${a.field}`)} IS NOT NULL AND row_number() OVER (PARTITION BY k, day, feed, ${sqlIdent(`f_${a.field}`)} ORDER BY ts, feed, dedup) = 1 THEN 1 ELSE 0 END AS ${sqlIdent(`first_${a.name}`)}`);
  const value = (a: Aggregation): string => {
    switch (a.op) {
      case 'count':
        return `sum(${inFeed(a, '1')}) OVER wd`;
      case 'count_distinct':
        return `sum(${sqlIdent(`first_${a.name}`)}) OVER wd`;
      case 'sum':
        return `sum(${inFeed(a, `try_cast(${sqlIdent(`f_${a.field}`)} AS DOUBLE)${a.times ? ` * coalesce(try_cast(${sqlIdent(`f_${a.times}`)} AS DOUBLE), 1.0)` : ''}`)}) OVER wd`;
      case 'last': {
        const v = a.field === 'event_time' ? 'CAST(fitlake_epoch_ms(ts) AS STRING)' : sqlIdent(`f_${a.field}`);
        return `max(${inFeed(a, `concat(lpad(CAST(fitlake_epoch_ms(ts) AS STRING), 15, '0'), '|', dedup, '|', ${v})`)}) OVER wa`;
      }
    }
  };
  const finish = (a: Aggregation): string => {
    const c = sqlIdent(a.name);
    if (a.op === 'count' || a.op === 'count_distinct') return `CAST(coalesce(${c}, 0) AS BIGINT) AS ${c}`;
    if (a.op === 'sum') return `CAST(coalesce(round(${c}, 6) + 0.0, 0) AS DOUBLE) AS ${c}`;
    const part = `split_part(${c}, '|', 3)`;
    return `${a.field === 'event_time' ? `CAST(${part} AS BIGINT)` : part} AS ${c}`;
  };
  return `WITH ev AS (
  SELECT *, fitlake_local_date(ts) AS day FROM (
    SELECT *, row_number() OVER (PARTITION BY feed, dedup ORDER BY _batch_id, _source_file, _line_number) AS copy_no FROM (${events.join('\n    UNION ALL ')}) x
    WHERE k IS NOT NULL AND ts IS NOT NULL
  ) y WHERE copy_no = 1
),
marked AS (SELECT *${firsts.length ? `, ${firsts.join(', ')}` : ''} FROM ev),
running AS (
  SELECT k, ts, feed, dedup, CAST(day AS STRING) AS ${LIVE_DAY}, max(created) OVER wa AS created_ts,
    ${aggs.map((a) => `${value(a)} AS ${sqlIdent(a.name)}`).join(',\n    ')},
    row_number() OVER (PARTITION BY k, ts ORDER BY feed DESC, dedup DESC) AS peer
  FROM marked
  WINDOW wd AS (PARTITION BY k, day ORDER BY ts, feed, dedup ROWS UNBOUNDED PRECEDING), wa AS (PARTITION BY k ORDER BY ts, feed, dedup ROWS UNBOUNDED PRECEDING)
)
SELECT k AS ${sqlIdent(key)}, ts AS feature_ts, created_ts, ${LIVE_DAY}, ${aggs.map(finish).join(', ')}
FROM running WHERE peer = 1`;
}

/** One member's state in the online fold. */
interface MemberState {
  /** Latest event time (ms): the row's feature_ts. */
  ts: number;
  day: string;
  /** Event keys of `day` already counted (a second delivery is ignored). */
  seen: string[];
  values: Record<string, number | string | null>;
  /** count_distinct: the values of `day` counted; last: the winning `pad(ms)|key`. */
  distinct: Record<string, string[]>;
  lastKey: Record<string, string>;
}

/** A member's new online row: key, event time, and values in the view's schema order. */
export interface LiveRow {
  key: string;
  featureTs: Date;
  values: unknown[];
}

/**
 * The online side of a streaming view: folds events, in any order, into each member's state, and
 * gives the rows to write online. The same aggregation rules as `streamViewSql` (first delivery
 * only; `day` windows over the member's latest local day; `last` by (time, event key)), so a member's
 * online row equals the offline row at its feature_ts. The state is plain JSON (saved with each
 * stream batch); members whose last event is more than `keepDays` before the newest are dropped.
 */
export class LiveFold {
  private members: Record<string, MemberState> = {};
  /** Per feed: its aggregations, event-time field and event key columns. */
  private readonly feeds = new Map<string, { aggs: Aggregation[]; time: string; key: string[] }>();

  constructor(
    readonly view: StreamView,
    private readonly timeZone: string,
  ) {
    for (const a of view.source.aggregations) {
      const f = this.feeds.get(a.feed) ?? { aggs: [], time: feedSpec(a.feed).eventTime, key: eventKey(a.feed) };
      f.aggs.push(a);
      this.feeds.set(a.feed, f);
    }
  }

  /** The state, for saving with a batch. */
  snapshot(): string {
    return JSON.stringify(this.members);
  }

  restore(saved: string | undefined): void {
    this.members = saved ? (JSON.parse(saved) as Record<string, MemberState>) : {};
  }

  /** Every member's current row (to rewrite the online store after a restart). */
  rows(): LiveRow[] {
    return Object.keys(this.members).map((k) => this.row(k));
  }

  /** Applies `(feed, event)` pairs; returns the rows of the members they changed. */
  apply(events: readonly { feed: string; event: FeedEvent }[]): LiveRow[] {
    const changed = new Set<string>();
    for (const { feed, event } of events) {
      const spec = this.feeds.get(feed);
      if (!spec || event.member_id == null) continue;
      const ts = eventTimeMs(event[spec.time], this.timeZone);
      if (ts === undefined) continue;
      const member = String(event.member_id);
      const dedup = spec.key.map((c) => (event[c] == null ? '' : String(event[c]))).join('/');
      if (this.fold(member, ts, `${pad(ts)}|${dedup}`, `${feed}\u0000${dedup}`, event, spec.aggs)) changed.add(member);
    }
    return [...changed].map((k) => this.row(k));
  }

  private fold(member: string, ts: number, order: string, id: string, event: FeedEvent, aggs: Aggregation[]): boolean {
    const day = localDay(new Date(ts), this.timeZone);
    let s = this.members[member];
    if (!s) s = this.members[member] = { ts, day, seen: [], values: this.initial(), distinct: {}, lastKey: {} };
    if (day > s.day) Object.assign(s, { day, seen: [], distinct: {}, values: { ...this.initial(), ...this.lastValues(s) } });
    const today = day === s.day;
    if (today && s.seen.includes(id)) return false;
    if (today) s.seen.push(id);
    s.ts = Math.max(s.ts, ts);
    for (const a of aggs) {
      const field = a.field === undefined ? undefined : event[a.field];
      if (a.op === 'last') {
        const v = a.field === 'event_time' ? ts : field == null ? null : String(field);
        if (order >= (s.lastKey[a.name] ?? '')) {
          s.lastKey[a.name] = order;
          s.values[a.name] = v;
        }
      } else if (!today) continue;
      else if (a.op === 'count') s.values[a.name] = Number(s.values[a.name]) + 1;
      else if (a.op === 'count_distinct') {
        if (field == null) continue;
        const seen = (s.distinct[a.name] ??= []);
        if (!seen.includes(String(field))) seen.push(String(field));
        s.values[a.name] = seen.length;
      } else {
        const x = Number(field) * (a.times === undefined || event[a.times] == null || Number.isNaN(Number(event[a.times])) ? 1 : Number(event[a.times]));
        if (field != null && !Number.isNaN(Number(field))) s.values[a.name] = round6(Number(s.values[a.name]) + x);
      }
    }
    return true;
  }

  private initial(): Record<string, number | null> {
    return Object.fromEntries(this.view.source.aggregations.map((a) => [a.name, a.op === 'last' ? null : 0]));
  }

  private lastValues(s: MemberState): Record<string, number | string | null> {
    return Object.fromEntries(this.view.source.aggregations.filter((a) => a.op === 'last').map((a) => [a.name, s.values[a.name]]));
  }

  private row(member: string): LiveRow {
    const s = this.members[member];
    return { key: member, featureTs: new Date(s.ts), values: this.view.schema.map((f) => (f.name === LIVE_DAY ? s.day : (s.values[f.name] ?? null))) };
  }
}
