import type { FeedEvent } from '../events';
import type { FeedSpec } from '../feeds';

/**
 * Where a feed's events are made durable before bronze takes them (the `source` key in config):
 * landing files (`landing_source.ts`, ingested by `fitlake ingest`) or Kafka topics
 * (`kafka_source.ts`, written to bronze by `fitlake stream`). REST ingestion and `fitlake simulate`
 * write through it; neither knows which backend it is.
 */
export interface Source {
  /** The backend, as named by `source.type` in config. */
  readonly type: 'landing' | 'kafka';
  /**
   * Makes events of one feed durable, in order, before it resolves (Kafka: acknowledged by every
   * in-sync replica; landing: appended and fsynced). Events must already satisfy the feed's contract.
   * Throws UnavailableError when they cannot be made durable now; nothing is half-written then
   * (a landing append is one write; Kafka's idempotent producer retries without duplicates).
   */
  append(feed: FeedSpec, events: readonly FeedEvent[]): Promise<void>;
  /** Releases connections; pending appends finish first. */
  close(): Promise<void>;
}
