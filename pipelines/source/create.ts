import type { Config } from '../../core/config';
import { lakePaths } from '../../core/paths';
import { KafkaSource } from './kafka_source';
import { LandingSource } from './landing_source';
import type { Source } from './source';

/** The configured event source (`source.type`): landing files (default) or Kafka. */
export function createSource(config: Pick<Config, 'source' | 'lakehouse' | 'timezone'>): Source {
  return config.source.type === 'kafka' ? new KafkaSource(config.source) : new LandingSource(lakePaths(config.lakehouse).landing, config.timezone);
}
