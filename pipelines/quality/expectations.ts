/**
 * Data-quality expectations, declared as data (in the spirit of Great Expectations / Soda).
 * Severity `error` stops the run before the layer is swapped in; `warn` is reported and the run goes on.
 */
export type Severity = 'error' | 'warn';

export type Expectation =
  | { kind: 'not_null'; table: string; column: string; severity: Severity }
  | { kind: 'unique'; table: string; columns: string[]; severity: Severity }
  | { kind: 'accepted_values'; table: string; column: string; values: string[]; severity: Severity }
  | { kind: 'range'; table: string; column: string; min?: number; max?: number; severity: Severity }
  | { kind: 'relationship'; table: string; column: string; to: { table: string; column: string }; severity: Severity }
  | { kind: 'min_rows'; table: string; min: number; severity: Severity }
  /** The table's newest event is at most `maxLagDays` behind the newest bronze event of its feed. */
  | { kind: 'freshness'; table: string; column: string; feed: string; maxLagDays: number; severity: Severity }
  /** bronze rows = silver rows + quarantined + removed duplicates, exactly. */
  | { kind: 'reconcile'; table: string; classified: string; feed: string; severity: Severity };


const FACTS: { table: string; feed: string; key: string[]; date: string }[] = [
  { table: 'class_checkins', feed: 'class_checkins', key: ['scan_id'], date: 'checkin_date' },
  { table: 'facility_usage', feed: 'facility_usage', key: ['usage_id'], date: 'usage_date' },
  { table: 'equipment_usage', feed: 'equipment_usage', key: ['usage_id'], date: 'usage_date' },
  { table: 'retail_sales', feed: 'retail_sales', key: ['txn_id', 'line_no'], date: 'sale_date' },
  { table: 'app_events', feed: 'app_events', key: ['event_id'], date: 'event_date' },
  { table: 'cancellations', feed: 'cancellations', key: ['cancellation_id'], date: 'request_date' },
  { table: 'wearables', feed: 'wearables', key: ['member_id', 'activity_date'], date: 'activity_date' },
];

export const SILVER_EXPECTATIONS: Expectation[] = [
  ...FACTS.flatMap(({ table, feed, key, date }): Expectation[] => [
    { kind: 'reconcile', table, classified: `${table}__classified`, feed, severity: 'error' },
    { kind: 'unique', table, columns: key, severity: 'error' },
    { kind: 'not_null', table, column: date, severity: 'error' },
    { kind: 'relationship', table, column: 'member_id', to: { table: 'dim_member', column: 'member_id' }, severity: 'error' },
    { kind: 'freshness', table, column: date, feed, maxLagDays: 2, severity: 'warn' },
  ]),
  { kind: 'unique', table: 'dim_member', columns: ['member_id', 'valid_from'], severity: 'error' },
  { kind: 'not_null', table: 'dim_member', column: 'plan', severity: 'error' },
  { kind: 'accepted_values', table: 'dim_member', column: 'billing_cycle', values: ['monthly', 'annual'], severity: 'error' },
  { kind: 'accepted_values', table: 'dim_member', column: 'status', values: ['active', 'frozen', 'cancelled'], severity: 'warn' },
  { kind: 'range', table: 'dim_member', column: 'price', min: 0, max: 5000, severity: 'error' },
  { kind: 'unique', table: 'dim_product', columns: ['sku'], severity: 'error' },
  { kind: 'accepted_values', table: 'dim_product', column: 'category', values: ['juice_bar', 'supplements', 'snacks', 'apparel'], severity: 'warn' },
  { kind: 'unique', table: 'dim_class_session', columns: ['session_id'], severity: 'error' },
  { kind: 'relationship', table: 'class_checkins', column: 'session_id', to: { table: 'dim_class_session', column: 'session_id' }, severity: 'error' },
  { kind: 'relationship', table: 'retail_sales', column: 'sku', to: { table: 'dim_product', column: 'sku' }, severity: 'error' },
  { kind: 'range', table: 'facility_usage', column: 'duration_min', min: 1, max: 600, severity: 'error' },
  { kind: 'range', table: 'equipment_usage', column: 'reps', min: 1, max: 100, severity: 'error' },
  { kind: 'range', table: 'wearables', column: 'calories_to_steps_ratio', min: 0, max: 1000, severity: 'error' },
  { kind: 'not_null', table: 'wearables', column: 'calories_to_steps_ratio', severity: 'error' },
  { kind: 'min_rows', table: 'dim_member', min: 1, severity: 'error' },
];

export const GOLD_EXPECTATIONS: Expectation[] = [
  { kind: 'unique', table: 'daily_active_members', columns: ['date'], severity: 'error' },
  { kind: 'range', table: 'daily_active_members', column: 'active_members', min: 0, severity: 'error' },
  { kind: 'unique', table: 'member_daily_activity', columns: ['member_id', 'date'], severity: 'error' },
  { kind: 'unique', table: 'revenue_by_product_daily', columns: ['date', 'sku'], severity: 'error' },
  { kind: 'range', table: 'revenue_by_product_daily', column: 'revenue', min: 0, severity: 'error' },
  { kind: 'unique', table: 'customer_lifetime_value', columns: ['member_id'], severity: 'error' },
  { kind: 'range', table: 'customer_lifetime_value', column: 'tenure_days', min: 0, severity: 'warn' },
  { kind: 'range', table: 'churn_cohorts', column: 'retention_rate', min: 0, max: 1, severity: 'error' },
  { kind: 'range', table: 'class_popularity', column: 'fill_rate', min: 0, max: 1, severity: 'error' },
  { kind: 'unique', table: 'revenue_by_class_type_daily', columns: ['date', 'class_type'], severity: 'error' },
];
