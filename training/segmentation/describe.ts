/** How a segment's distinctive features read to a gym manager: feature → [high, low] phrase. */
const PHRASES: Record<string, [high: string, low: string]> = {
  visits_30d: ['visits often', 'rarely visits'],
  class_checkins_30d: ['takes many classes', 'skips classes'],
  peak_share_90d: ['comes at peak hours', 'comes off-peak'],
  facility_visits_30d: ['uses the sauna and pool', 'skips the sauna and pool'],
  equipment_minutes_30d: ['long machine workouts', 'little machine time'],
  app_sessions_30d: ['active in the app', 'rarely opens the app'],
  supplement_share_90d: ['buys supplements', 'buys few supplements'],
  wearable_days_30d: ['wears the device daily', 'wears the device now and then'],
  avg_steps_30d: ['walks a lot', 'walks little'],
  avg_calories_30d: ['burns many calories', 'burns few calories'],
  avg_sleep_hours_30d: ['sleeps long', 'sleeps short'],
  workout_days_30d: ['works out most days', 'works out rarely'],
};

/** A segment's name: its three most distinctive features (standardized centroid coordinates) in words. */
export function segmentName(centroid: ArrayLike<number>, features: string[]): string {
  return Array.from(centroid, (v, j) => [v, features[j]] as const)
    .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
    .slice(0, 3)
    .map(([v, f]) => PHRASES[f]?.[v > 0 ? 0 : 1] ?? `${v > 0 ? 'high' : 'low'} ${f}`)
    .join(', ');
}
