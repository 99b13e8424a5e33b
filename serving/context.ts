import type { Logger } from '../core/logger';
import type { Source } from '../pipelines/source/source';
import type { LiveReader } from '../pipelines/stream/live_reader';
import type { EntityReader } from '../features/online/entity_reader';
import type { Dashboard } from './dashboard/dashboard';
import type { ApiMetrics } from './metrics';
import type { ModelManager } from './models';

/** Everything the routes need, passed in (tests hand in real stores and managers). */
export interface ApiContext {
  models: ModelManager;
  /** All of a member's online features (every member view). */
  memberFeatures: EntityReader;
  /** The member's live features (member_live, kept online by the stream), when registered. */
  memberLive?: EntityReader;
  /** The gym's IANA time zone (weekly class slots are local times). */
  timeZone: string;
  /** The member's home club, for cold-start recommendations. */
  memberProfile: EntityReader;
  /** "Now" for feature freshness (the wall clock, or the data's clock). */
  now: () => Date;
  metrics: ApiMetrics;
  logger: Logger;
  /** The admin API key (from FITLAKE_ADMIN_API_KEY); admin routes are refused without one. */
  apiKey?: string;
  maxBatch: number;
  /** Where POST /ingest/:feed makes events durable (the configured source); absent: ingestion unavailable. */
  source?: Source;
  /** Follows the live windows `fitlake stream` commits (GET /live/occupancy, /live/stream). */
  live?: LiveReader;
  /** The dashboard's data (/ui); absent: the dashboard answers 503. */
  dashboard?: Dashboard;
  /** The ingestion API key (from FITLAKE_INGEST_API_KEY); /ingest is refused without one. */
  ingestKey?: string;
}
