import { UnavailableError } from '../../core/errors';
import { partitionKey, type FeedEvent } from '../events';
import type { FeedSpec } from '../feeds';
import type { Source } from './source';
import { durableProducer, feedTopic, type KafkaConfig } from './kafka';

/**
 * Events produced to one topic per feed (`<topicPrefix><feed>`), keyed by member so one member's
 * events stay in order, with an idempotent producer and acks=all: `append` resolves once every
 * in-sync replica has them. `fitlake stream` writes the topics to bronze.
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
    try {
      await this.producer.send({ messages: events.map((e) => ({ topic, key: partitionKey(feed, e), value: JSON.stringify(e) })) });
    } catch (e) {
      throw new UnavailableError(`cannot make ${feed.name} events durable on Kafka (${this.cfg.brokers.join(',')}): ${(e as Error).message}`, e);
    }
  }

  async ready(): Promise<void> {
    try {
      await this.producer.metadata({ topics: [] });
    } catch (e) {
      throw new UnavailableError(`Kafka (${this.cfg.brokers.join(',')}) is not reachable: ${(e as Error).message}`, e);
    }
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
