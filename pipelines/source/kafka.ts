import { Admin, Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';
import type { Config } from '../../core/config';
import { FEEDS, type FeedSpec } from '../feeds';

export type KafkaConfig = Extract<Config['source'], { type: 'kafka' }>;

/** The topic a feed's events travel on. */
export const feedTopic = (cfg: KafkaConfig, feed: FeedSpec) => `${cfg.topicPrefix}${feed.name}`;
/** Where events that break their feed's contract go, with the reason. */
export const deadLetterTopic = (cfg: KafkaConfig) => `${cfg.topicPrefix}dlq`;

/** The feed a topic carries, or undefined. */
export function feedOfTopic(cfg: KafkaConfig, topic: string): FeedSpec | undefined {
  return FEEDS.find((f) => feedTopic(cfg, f) === topic);
}

/** Connection settings every client shares: fail a request after `timeoutMs`, a few retries. */
export function clientBase(cfg: KafkaConfig, clientId: string, timeoutMs = 10_000) {
  return { clientId, bootstrapBrokers: cfg.brokers, timeout: timeoutMs, retries: 3, retryDelay: 250 };
}

/** An idempotent producer waiting for every in-sync replica (acks=all). */
export function durableProducer(cfg: KafkaConfig, clientId: string): Producer<string, string, string, string> {
  return new Producer({ ...clientBase(cfg, clientId), serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
}

/** Creates the feed topics and the dead-letter topic that do not exist yet. */
export async function ensureTopics(cfg: KafkaConfig): Promise<void> {
  const admin = new Admin(clientBase(cfg, 'fitlake-admin'));
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...FEEDS.map((f) => feedTopic(cfg, f)), deadLetterTopic(cfg)].filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ topics: missing, partitions: cfg.partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}
