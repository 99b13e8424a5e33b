import { defineFeatureView } from '../define';

const share = (part: string, whole: string) => `coalesce(${part} / nullif(${whole}, 0), 0)::DOUBLE`;
const CLASS_TYPES = ['spinning', 'yoga', 'zumba', 'hiit', 'boxing', 'peloton'];

/** Visits and what the member does on site, over trailing windows ending the day before feature_ts. */
export const memberVisits = defineFeatureView({
  name: 'member_visits',
  entities: ['member'],
  description: 'On-site activity: visit days, class check-ins and their mix, peak-hour share, facility and machine use.',
  ttl: '2d',
  source: {
    kind: 'windowed',
    file: 'member_visit_facts',
    spine: 'member_days',
    sums: {
      visits: [7, 30, 90],
      checkins: [30, 90],
      ...Object.fromEntries(CLASS_TYPES.map((t) => [t, [90]])),
      facility_visits: [30],
      equipment_sessions: [30],
      equipment_minutes: [30],
      peak_records: [90],
      records: [90],
    },
    lastDates: ['visits'],
  },
  schema: [
    { name: 'visits_7d', type: 'int', description: 'Days with an on-site visit in the 7 days before.' },
    { name: 'visits_30d', type: 'int', description: 'Visit days in the 30 days before.' },
    { name: 'visits_90d', type: 'int', description: 'Visit days in the 90 days before.' },
    { name: 'visit_trend', type: 'float', description: 'Visit days in the last 30 days minus the 30-day average of the 60 days before them.', expr: '(visits_30d - (visits_90d - visits_30d) / 2.0)::DOUBLE' },
    {
      name: 'visit_ratio_log',
      type: 'float',
      description: 'ln((visits in the last 30 days + 1) / (30-day average of the 60 days before + 1)): an attendance drop against habit is negative.',
      // 12 digits: the engines' ln differ in the last bit
      expr: 'round(ln((visits_30d + 1) / ((visits_90d - visits_30d) / 2.0 + 1)), 12)',
    },
    { name: 'days_since_last_visit', type: 'int', description: 'Days since the last known visit day (null: none in the data).', expr: '(date - last_visits_date)::INTEGER' },
    { name: 'class_checkins_30d', type: 'int', description: 'Class check-ins in the 30 days before.', expr: 'checkins_30d' },
    { name: 'class_checkins_90d', type: 'int', description: 'Class check-ins in the 90 days before.', expr: 'checkins_90d' },
    ...CLASS_TYPES.map((t) => ({ name: `${t}_share_90d`, type: 'float' as const, description: `Share of the 90-day check-ins that were ${t}.`, expr: share(`${t}_90d`, 'checkins_90d') })),
    { name: 'peak_share_90d', type: 'float', description: 'Share of on-site records at weekday peak hours (06–09, 17–20).', expr: share('peak_records_90d', 'records_90d') },
    { name: 'facility_visits_30d', type: 'int', description: 'Sauna, pool, steam, hot tub and cold plunge uses in the 30 days before.' },
    { name: 'equipment_sessions_30d', type: 'int', description: 'Machine sessions in the 30 days before.' },
    { name: 'equipment_minutes_30d', type: 'float', description: 'Minutes on machines in the 30 days before.' },
    {
      name: 'engagement_segment',
      type: 'string',
      description: 'dormant (no visit in 30 days), casual (< 4), regular (< 12) or devoted (12+).',
      expr: "CASE WHEN visits_30d = 0 THEN 'dormant' WHEN visits_30d < 4 THEN 'casual' WHEN visits_30d < 12 THEN 'regular' ELSE 'devoted' END",
    },
  ],
});

export const memberRetail = defineFeatureView({
  name: 'member_retail',
  entities: ['member'],
  description: 'Spending at the juice bar and store.',
  ttl: '2d',
  source: { kind: 'windowed', file: 'member_retail_facts', spine: 'member_days', sums: { spend: [30, 90], supplement_spend: [90], juice_bar_spend: [90], purchases: [30] } },
  schema: [
    { name: 'retail_spend_30d', type: 'float', description: 'Retail spend in the 30 days before.', expr: 'spend_30d' },
    { name: 'retail_spend_90d', type: 'float', description: 'Retail spend in the 90 days before.', expr: 'spend_90d' },
    { name: 'supplement_share_90d', type: 'float', description: 'Share of the 90-day spend on supplements.', expr: share('supplement_spend_90d', 'spend_90d') },
    { name: 'juice_bar_share_90d', type: 'float', description: 'Share of the 90-day spend at the juice bar.', expr: share('juice_bar_spend_90d', 'spend_90d') },
    { name: 'purchases_30d', type: 'int', description: 'Receipts in the 30 days before.' },
  ],
});

export const memberApp = defineFeatureView({
  name: 'member_app',
  entities: ['member'],
  description: 'App engagement: sessions, bookings, goals and logged workouts.',
  ttl: '2d',
  source: { kind: 'windowed', file: 'member_app_facts', spine: 'member_days', sums: { app_sessions: [7, 30], bookings: [30], goals_set: [90], goals_achieved: [90], workouts_logged: [30] } },
  schema: [
    { name: 'app_sessions_7d', type: 'int', description: 'App sessions in the 7 days before.' },
    { name: 'app_sessions_30d', type: 'int', description: 'App sessions in the 30 days before.' },
    { name: 'bookings_30d', type: 'int', description: 'Classes booked in the app in the 30 days before.' },
    { name: 'goals_set_90d', type: 'int', description: 'Goals set in the 90 days before.' },
    { name: 'goals_achieved_90d', type: 'int', description: 'Goals achieved in the 90 days before.' },
    { name: 'workouts_logged_30d', type: 'int', description: 'Workouts logged in the app in the 30 days before.' },
  ],
});

export const memberWearables = defineFeatureView({
  name: 'member_wearables',
  entities: ['member'],
  description: 'Wearable activity (members who share it).',
  ttl: '2d',
  source: { kind: 'windowed', file: 'member_wearable_facts', spine: 'member_days', sums: { wearable_days: [30], steps: [30], calories: [30], sleep_hours: [30], workout_days: [30] } },
  schema: [
    { name: 'wearable_days_30d', type: 'int', description: 'Days with a wearable summary in the 30 days before.' },
    { name: 'avg_steps_30d', type: 'float', description: 'Mean daily steps over the days with a summary (0: none).', expr: share('steps_30d', 'wearable_days_30d') },
    { name: 'avg_calories_30d', type: 'float', description: 'Mean daily calories burned over the days with a summary.', expr: share('calories_30d', 'wearable_days_30d') },
    { name: 'avg_sleep_hours_30d', type: 'float', description: 'Mean nightly sleep over the days with a summary.', expr: share('sleep_hours_30d', 'wearable_days_30d') },
    { name: 'workout_days_30d', type: 'int', description: 'Days whose main activity was a workout (not walking).' },
  ],
});

export const memberActivityMix = defineFeatureView({
  name: 'member_activity_mix',
  entities: ['member'],
  description: "A member's usual activities, from their wearable summaries of the 30 days before: what the activity classifier reads beside the day's own summary.",
  ttl: '2d',
  source: { kind: 'windowed', file: 'member_wearable_facts', spine: 'member_days', sums: { summaries: [30], act_walking: [30], act_running: [30], act_cycling: [30], act_swimming: [30], act_yoga: [30], act_gym_workout: [30], act_hiking: [30] } },
  schema: [
    { name: 'prev_days', type: 'float', description: 'Days with a summary in the 30 days before, as a share of 30.', expr: '(summaries_30d / 30.0)::DOUBLE' },
    { name: 'prev_walking', type: 'float', description: 'Share of those summaries whose main activity was walking (0: none).', expr: share('act_walking_30d', 'summaries_30d') },
    { name: 'prev_running', type: 'float', description: 'Share of those summaries whose main activity was running (0: none).', expr: share('act_running_30d', 'summaries_30d') },
    { name: 'prev_cycling', type: 'float', description: 'Share of those summaries whose main activity was cycling (0: none).', expr: share('act_cycling_30d', 'summaries_30d') },
    { name: 'prev_swimming', type: 'float', description: 'Share of those summaries whose main activity was swimming (0: none).', expr: share('act_swimming_30d', 'summaries_30d') },
    { name: 'prev_yoga', type: 'float', description: 'Share of those summaries whose main activity was yoga (0: none).', expr: share('act_yoga_30d', 'summaries_30d') },
    { name: 'prev_gym_workout', type: 'float', description: 'Share of those summaries whose main activity was gym workout (0: none).', expr: share('act_gym_workout_30d', 'summaries_30d') },
    { name: 'prev_hiking', type: 'float', description: 'Share of those summaries whose main activity was hiking (0: none).', expr: share('act_hiking_30d', 'summaries_30d') },
  ],
});

export const memberProfile = defineFeatureView({
  name: 'member_profile',
  entities: ['member'],
  description: 'The membership as the CRM recorded it at feature_ts.',
  ttl: '2d',
  source: { kind: 'sql', file: 'member_profile', spine: 'member_days', changes: 'member_profile_changes' },
  schema: [
    { name: 'plan', type: 'string', description: 'basic, off_peak, student, plus, elite or family.' },
    { name: 'billing_cycle', type: 'string', description: 'monthly or annual.' },
    { name: 'price', type: 'float', description: 'Price per billing period.' },
    { name: 'tenure_days', type: 'int', description: 'Days since joining.' },
    { name: 'monthly_price', type: 'float', description: 'Price per month (annual price / 12).' },
    { name: 'plan_downgrades', type: 'int', description: 'Plan downgrades so far.' },
    { name: 'downgraded_90d', type: 'int', description: '1 when the plan was downgraded in the 90 days before.' },
    { name: 'plan_upgrades', type: 'int', description: 'Plan upgrades so far.' },
    { name: 'age_years', type: 'int', description: 'Age in whole years.' },
    { name: 'home_club', type: 'string', description: 'Home club id.' },
  ],
});

/**
 * The member's day so far, updated by `fitlake stream` within seconds of each event and computed the
 * same way from bronze for training sets (a streaming view: one definition, both paths).
 */
export const memberLive = defineFeatureView({
  name: 'member_live',
  entities: ['member'],
  description: "The member's day so far (gym-local day of their latest event), from the event stream: check-ins, facility uses, app sessions, spend, and their latest class check-in.",
  ttl: '1d',
  source: {
    kind: 'stream',
    aggregations: [
      { name: 'checkins_today', feed: 'class_checkins', op: 'count', window: 'day' },
      { name: 'facility_uses_today', feed: 'facility_usage', op: 'count', window: 'day' },
      { name: 'app_sessions_today', feed: 'app_events', op: 'count_distinct', field: 'app_session_id', window: 'day' },
      { name: 'retail_spend_today', feed: 'retail_sales', op: 'sum', field: 'quantity', times: 'unit_price', window: 'day' },
      { name: 'last_checkin_ms', feed: 'class_checkins', op: 'last', field: 'event_time', window: 'all' },
      { name: 'last_checkin_club', feed: 'class_checkins', op: 'last', field: 'club_id', window: 'all' },
    ],
  },
  schema: [
    { name: 'live_day', type: 'string', description: 'The gym-local day of the latest event: the day the *_today counts are for.' },
    { name: 'checkins_today', type: 'int', description: 'Class check-ins on live_day.' },
    { name: 'facility_uses_today', type: 'int', description: 'Facility uses (sauna, pool, …) on live_day.' },
    { name: 'app_sessions_today', type: 'int', description: 'Distinct app sessions on live_day.' },
    { name: 'retail_spend_today', type: 'float', description: 'Retail spend (quantity × unit price) on live_day.' },
    { name: 'last_checkin_ms', type: 'int', description: 'When the latest class check-in was scanned (ms since the epoch).' },
    { name: 'last_checkin_club', type: 'string', description: 'The club of the latest class check-in.' },
  ],
});

export const MEMBER_VIEWS = [memberVisits, memberRetail, memberApp, memberWearables, memberActivityMix, memberProfile, memberLive];
