import { UnavailableError } from '../../core/errors';
import { partitionKey, type FeedEvent } from '../events';
import type { FeedSpec } from '../feeds';
import type { Source } from './source';
import { durableProducer, feedTopic, type KafkaConfig } from './kafka';

/** Events per produce request: a partition's record batch stays well under the broker's 1 MB message.max.bytes. */
const SEND_CHUNK = 1_000;

/**
 * Events produced to one topic per feed (`<topicPrefix><feed>`), keyed by member so one member's
 * events stay in order, with an idempotent producer and acks=all: `append` resolves once every
 * in-sync replica has them (sent in requests of 1,000; a failure part-way leaves the earlier requests
 * sent, which a retry sends again: at-least-once, like any producer retry). `fitlake stream` writes the topics to bronze.
 */
export class KafkaSource implements Source {
  readonly type = 'kafka' as const;
  private readonly producer;

  constructor(private readonly cfg: KafkaConfig) {
    this.producer = durableProducer(cfg, 'fitlake-source');
  }

  async append(feed: FeedSpec, events: readonly FeedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const topic = feedTopic(this.cfg, feed);
    for (let i = 0; i < events.length; i += SEND_CHUNK) {
      try {
        await this.producer.send({ messages: events.slice(i, i + SEND_CHUNK).map((e) => ({ topic, key: partitionKey(feed, e), value: JSON.stringify(e) })) });
      } catch (e) {
        const cause = (e as { errors?: Error[] }).errors?.[0]?.message;
        throw new UnavailableError(`cannot make ${feed.name} events durable on Kafka (${this.cfg.brokers.join(',')}): ${(e as Error).message}${cause ? ` (${cause})` : ''}`, e);
      }
    }
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
