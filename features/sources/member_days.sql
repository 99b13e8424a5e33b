-- The rows every member view has: one per member and gym-local day D of membership, from the day after
-- the member joined (at the earliest the day after the first day of data) through the day their
-- cancellation takes effect, or the day after the last day of data. feature_ts = local midnight
-- starting D, so a value at D describes only what happened on days before D.
WITH bounds AS (
  SELECT min(date) + 1 AS first_day, max(date) + 1 AS last_day FROM member_daily_activity
), span AS (
  SELECT
    member_id,
    min(join_date) AS joined,
    min(fitlake_local_date(valid_from)) FILTER (WHERE status = 'cancelled') AS ended
  FROM dim_member
  GROUP BY member_id
), days AS (
  SELECT s.member_id, t.date
  FROM span s, bounds b, unnest(fitlake_days(greatest(s.joined + 1, b.first_day), least(coalesce(s.ended, b.last_day), b.last_day))) AS t(date)
)
SELECT member_id, date, fitlake_day_start(date) AS feature_ts, fitlake_day_start(date) AS created_ts
FROM days
