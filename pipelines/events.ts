import { type FeedSpec } from './feeds';

/** One event of a feed as it travels over Kafka or REST: the feed's columns as JSON keys. */
export type FeedEvent = Record<string, unknown>;

/** Why an event breaks its feed's contract: a reason code and the field at fault. */
export interface EventProblem {
  reason: 'invalid_json' | 'not_an_object' | 'unknown_field' | 'wrong_type' | 'missing_field';
  field?: string;
  message: string;
}

/** Columns whose values are JSON documents (objects or arrays); every other column is a scalar. */
const JSON_COLUMNS = new Set(['properties', 'legacy_codes', 'known_aliases']);

const isScalar = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/**
 * Checks an event against its feed's contract: an object, no key outside the feed's columns, scalar
 * values (JSON documents for the JSON columns), and the key and event-time fields present and not
 * blank, and no line break in a CSV feed's value. Bronze keeps values as text, so a number where text is usual is not a fault; an object or
 * array where a scalar belongs is. Returns the first problem, or undefined.
 */
export function eventProblem(feed: FeedSpec, event: unknown): EventProblem | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return { reason: 'not_an_object', message: 'an event must be a JSON object' };
  const columns = new Set(feed.columns);
  for (const [k, v] of Object.entries(event)) {
    if (!columns.has(k)) return { reason: 'unknown_field', field: k, message: `"${k}" is not a field of ${feed.name} (fields: ${feed.columns.join(', ')})` };
    const ok = JSON_COLUMNS.has(k) ? isScalar(v) || typeof v === 'object' : isScalar(v);
    if (!ok) return { reason: 'wrong_type', field: k, message: `"${k}" must be ${JSON_COLUMNS.has(k) ? 'a JSON value' : 'a string, number, boolean or null'}` };
    if (feed.format === 'csv' && typeof v === 'string' && /[\r\n]/.test(v)) return { reason: 'wrong_type', field: k, message: `"${k}" holds a line break, which a ${feed.name} record (one CSV line) cannot` };
  }
  for (const k of [feed.key, feed.eventTime]) {
    const v = (event as FeedEvent)[k];
    if (v === undefined || v === null || String(v).trim() === '') return { reason: 'missing_field', field: k, message: `"${k}" is required` };
  }
  return undefined;
}

/** Parses one serialized event (a Kafka message value): the event, or what is wrong with it. */
export function parseEvent(feed: FeedSpec, text: string): { event: FeedEvent } | { problem: EventProblem } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: { reason: 'invalid_json', message: 'not valid JSON' } };
  }
  const problem = eventProblem(feed, value);
  return problem ? { problem } : { event: value as FeedEvent };
}

/** The quarantine reason stored in bronze: `unknown_field:x`, `wrong_type:x`, `invalid_json`, … */
export function problemReason(p: EventProblem): string {
  return p.field ? `${p.reason}:${p.field}` : p.reason;
}

/** An event as one landing line in its feed's format (CSV cells in column order, RFC 4180 quoting). */
export function landingLine(feed: FeedSpec, event: FeedEvent): string {
  if (feed.format === 'jsonl') return JSON.stringify(event);
  return feed.columns.map((c) => csvCell(event[c])).join(',');
}

/** The header line of a CSV landing file. */
export function csvHeader(feed: FeedSpec): string {
  return feed.columns.join(',');
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The value an event is partitioned by on Kafka: its member (one member's events stay in order), else its key. */
export function partitionKey(feed: FeedSpec, event: FeedEvent): string {
  return String(event.member_id ?? event[feed.key] ?? '');
}
