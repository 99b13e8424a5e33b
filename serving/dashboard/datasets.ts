import type { Queries } from './lake_data';

/**
 * Every page's data from the gold tables (and current silver dimensions), one query per chart or
 * table, each bounded by the calendar or the catalogue rather than by members (a few hundred rows at
 * any scale, except the LTV histogram's bins), and the active members the at-risk list scores (kept
 * on the server). Dates are cast to text (YYYY-MM-DD).
 */
export const DATASETS = {
  kpis: {
    last_day: `SELECT date::VARCHAR AS date, active_members, on_site_members, app_members FROM daily_active_members ORDER BY date DESC LIMIT 1`,
    wau: `SELECT week_start::VARCHAR AS week_start, active_members FROM weekly_active_members WHERE days_in_data = 7 ORDER BY week_start DESC LIMIT 1`,
    mau: `SELECT month_start::VARCHAR AS month_start, active_members, days_in_data FROM monthly_active_members ORDER BY month_start DESC LIMIT 1`,
    members: `SELECT count(*) FILTER (WHERE status = 'active') AS active, count(*) FILTER (WHERE status = 'cancelled') AS cancelled FROM dim_member WHERE is_current`,
    revenue: `
      WITH last AS (SELECT max(date) AS d FROM revenue_by_product_daily)
      SELECT sum(revenue) FILTER (WHERE date > d - 7) AS last_7_days, sum(revenue) FILTER (WHERE date <= d - 7 AND date > d - 14) AS previous_7_days,
             (d - 6)::VARCHAR AS from_day, d::VARCHAR AS to_day
      FROM revenue_by_product_daily, last GROUP BY d`,
  },
  activity: {
    dau: `SELECT date::VARCHAR AS date, active_members, on_site_members, app_members FROM daily_active_members ORDER BY date`,
    wau: `SELECT week_start::VARCHAR AS week_start, active_members, days_in_data FROM weekly_active_members ORDER BY week_start`,
    mau: `SELECT month_start::VARCHAR AS month_start, active_members, days_in_data FROM monthly_active_members ORDER BY month_start`,
    heatmap: `
      SELECT club_id, iso_weekday, any_value(weekday) AS weekday, start_hour AS hour, round(sum(visits_per_day), 2) AS visits_per_day
      FROM facility_utilisation_hourly GROUP BY club_id, iso_weekday, start_hour ORDER BY club_id, iso_weekday, hour`,
    class_types: `
      SELECT class_type, sum(sessions)::INTEGER AS sessions, sum(checkins)::INTEGER AS checkins, sum(seats)::INTEGER AS seats, round(sum(checkins) / sum(seats), 4) AS fill_rate
      FROM class_popularity GROUP BY class_type ORDER BY fill_rate DESC`,
    instructors: `
      SELECT coalesce(i.instructor_name, p.instructor_id) AS instructor, sum(p.sessions)::INTEGER AS sessions, sum(p.checkins)::INTEGER AS checkins, round(sum(p.checkins) / sum(p.seats), 4) AS fill_rate
      FROM class_popularity p LEFT JOIN dim_instructor i USING (instructor_id) GROUP BY 1 ORDER BY fill_rate DESC`,
    facilities: `
      SELECT club_id, facility, sum(visits)::INTEGER AS visits, round(sum(visits_per_day), 1) AS visits_per_day, round(sum(avg_minutes * visits) / sum(visits), 1) AS avg_minutes
      FROM facility_utilisation_hourly GROUP BY club_id, facility ORDER BY club_id, visits DESC`,
  },
  revenue: {
    categories: `
      SELECT date_trunc('week', date)::DATE::VARCHAR AS week, category, round(sum(revenue), 2) AS revenue
      FROM revenue_by_product_daily GROUP BY 1, 2 ORDER BY 1, 2`,
    buyers: `
      SELECT date_trunc('week', date)::DATE::VARCHAR AS week, round(sum(member_revenue), 2) AS member, round(sum(walk_in_revenue), 2) AS walk_in
      FROM revenue_by_product_daily GROUP BY 1 ORDER BY 1`,
    skus: `
      SELECT sku, any_value(product_name) AS name, any_value(category) AS category, sum(units)::INTEGER AS units, round(sum(revenue), 2) AS revenue,
             round(sum(member_revenue), 2) AS member_revenue, round(sum(walk_in_revenue), 2) AS walk_in_revenue
      FROM revenue_by_product_daily GROUP BY sku ORDER BY revenue DESC`,
    class_types: `
      SELECT class_type, sum(checkins)::INTEGER AS checkins, round(sum(attributed_revenue), 2) AS attributed_revenue
      FROM revenue_by_class_type_daily GROUP BY class_type ORDER BY attributed_revenue DESC`,
    ltv: `
      SELECT plan, (floor(historical_revenue / 250) * 250)::INTEGER AS ltv_from, count(*)::INTEGER AS members
      FROM customer_lifetime_value WHERE plan IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    ltv_summary: `
      SELECT count(*)::INTEGER AS members, round(avg(historical_revenue), 2) AS mean, round(median(historical_revenue), 2) AS median, round(quantile_cont(historical_revenue, 0.9), 2) AS p90
      FROM customer_lifetime_value WHERE plan IS NOT NULL`,
  },
  churn: {
    cohorts: `
      SELECT strftime(cohort_month, '%Y-%m') AS cohort, months_since_join::INTEGER AS months_since_join, members, retained, round(retention_rate, 4) AS retention_rate
      FROM churn_cohorts WHERE cohort_month > (SELECT max(cohort_month) FROM churn_cohorts) - INTERVAL 24 MONTH ORDER BY cohort, months_since_join`,
    reasons: `
      SELECT reason_category AS reason, sum(cancellations)::INTEGER AS cancellations FROM cancellation_reasons_by_cohort GROUP BY 1 ORDER BY 2 DESC`,
    clubs: `SELECT DISTINCT club_id FROM dim_member WHERE is_current ORDER BY club_id`,
  },
  /** Who the at-risk list scores (not sent to browsers as such). */
  active_members: {
    members: `SELECT member_id, club_id, plan FROM dim_member WHERE is_current AND status = 'active' ORDER BY member_id`,
  },
  /** The values each category of the churn model takes in the data (for artifacts that recorded only the coded levels). */
  categories: {
    plan: `SELECT DISTINCT plan AS v FROM dim_member WHERE plan IS NOT NULL ORDER BY 1`,
    billing_cycle: `SELECT DISTINCT billing_cycle AS v FROM dim_member WHERE billing_cycle IS NOT NULL ORDER BY 1`,
    home_club: `SELECT DISTINCT club_id AS v FROM dim_member WHERE club_id IS NOT NULL ORDER BY 1`,
  },
} satisfies Record<string, Queries>;

export type DatasetName = keyof typeof DATASETS;
