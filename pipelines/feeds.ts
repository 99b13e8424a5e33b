/**
 * The landing feeds: how each source system drops its files. This is the contract between the
 * generator (or a real gym's exports) and bronze ingestion.
 */
export type FeedFormat = 'jsonl' | 'csv';
export type TimestampStyle = 'iso' | 'epoch_ms' | 'us_local';

export interface FeedSpec {
  name: string;
  /** Business domain it belongs to (of the eight). */
  domain: 'memberships' | 'classes' | 'facilities' | 'retail' | 'app' | 'cancellations' | 'equipment' | 'wearables';
  format: FeedFormat;
  /** Columns (CSV header order, JSON keys), all kept as text in bronze. */
  columns: readonly string[];
  /** The field every valid record must carry. */
  key: string;
  /** Field holding the event time or date bronze partitions by. */
  eventTime: string;
  /** The format the source system normally writes eventTime in. */
  timestampStyle: TimestampStyle | 'date';
}

const identity = ['first_name', 'last_name', 'email', 'phone', 'address', 'city', 'state', 'zip', 'birth_date'];

export const FEEDS: readonly FeedSpec[] = [
  {
    name: 'memberships',
    domain: 'memberships',
    format: 'jsonl',
    columns: ['event_id', 'event_type', 'member_id', ...identity, 'home_club', 'join_date', 'plan', 'previous_plan', 'billing_cycle', 'price', 'status', 'updated_at'],
    key: 'event_id',
    eventTime: 'updated_at',
    timestampStyle: 'iso',
  },
  {
    name: 'class_sessions',
    domain: 'classes',
    format: 'jsonl',
    columns: ['session_id', 'club_id', 'class_type', 'instructor_id', 'instructor_name', 'room', 'start_time', 'duration_min', 'capacity'],
    key: 'session_id',
    eventTime: 'start_time',
    timestampStyle: 'iso',
  },
  {
    name: 'class_checkins',
    domain: 'classes',
    format: 'jsonl',
    columns: ['scan_id', 'member_id', 'session_id', 'club_id', 'scanned_at', 'booking_source', 'device_id'],
    key: 'scan_id',
    eventTime: 'scanned_at',
    timestampStyle: 'iso',
  },
  {
    name: 'facility_usage',
    domain: 'facilities',
    format: 'jsonl',
    columns: ['usage_id', 'member_id', 'club_id', 'facility', 'started_at', 'duration_min'],
    key: 'usage_id',
    eventTime: 'started_at',
    timestampStyle: 'iso',
  },
  {
    name: 'products',
    domain: 'retail',
    format: 'jsonl',
    columns: ['sku', 'name', 'category', 'price', 'legacy_codes', 'known_aliases', 'updated_at'],
    key: 'sku',
    eventTime: 'updated_at',
    timestampStyle: 'iso',
  },
  {
    name: 'retail_sales',
    domain: 'retail',
    format: 'csv',
    columns: ['txn_id', 'line_no', 'sold_at', 'club_id', 'member_id', 'sku', 'quantity', 'unit_price', 'payment_method'],
    key: 'txn_id',
    eventTime: 'sold_at',
    timestampStyle: 'us_local',
  },
  {
    name: 'app_events',
    domain: 'app',
    format: 'jsonl',
    columns: ['event_id', 'app_session_id', 'member_id', 'event_type', 'occurred_at', 'device', 'os', 'app_version', 'properties'],
    key: 'event_id',
    eventTime: 'occurred_at',
    timestampStyle: 'epoch_ms',
  },
  {
    name: 'cancellations',
    domain: 'cancellations',
    format: 'jsonl',
    columns: ['cancellation_id', 'member_id', 'requested_at', 'effective_date', 'reason_category', 'reason_text', 'channel'],
    key: 'cancellation_id',
    eventTime: 'requested_at',
    timestampStyle: 'iso',
  },
  {
    name: 'equipment_usage',
    domain: 'equipment',
    format: 'csv',
    columns: ['usage_id', 'machine_id', 'machine_type', 'club_id', 'member_id', 'started_at', 'duration_sec', 'sets', 'reps', 'weight_kg'],
    key: 'usage_id',
    eventTime: 'started_at',
    timestampStyle: 'epoch_ms',
  },
  {
    name: 'wearables',
    domain: 'wearables',
    format: 'jsonl',
    columns: ['member_id', 'activity_date', 'device', 'steps', 'calories_burned', 'avg_heart_rate', 'sleep_hours', 'activity_type'],
    key: 'member_id',
    eventTime: 'activity_date',
    timestampStyle: 'date',
  },
];

export type FeedName = (typeof FEEDS)[number]['name'];

export function feedSpec(name: string): FeedSpec {
  const f = FEEDS.find((x) => x.name === name);
  if (!f) throw new Error(`unknown feed ${name}`);
  return f;
}

/** Landing file name of a feed's drop for one day: `<feed>/<feed>_<YYYY-MM-DD>.<ext>`. */
export function landingFileName(feed: FeedSpec, date: string): string {
  return `${feed.name}/${feed.name}_${date}.${feed.format}`;
}
