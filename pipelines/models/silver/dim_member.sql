-- model: dim_member
-- layer: silver
-- depends: bronze_memberships
-- description: Members as a type-2 slowly changing dimension. One row per member and version of
--   their CRM record (plan, price, billing cycle, status); valid_from is the change's instant (UTC),
--   valid_to the next change's (NULL while current). Replayed CRM events are collapsed by event_id.
WITH events AS (
  SELECT *, fitlake_ts(updated_at) AS changed_at
  FROM bronze_memberships
  QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY _batch_id, _source_file, _line_number) = 1
)
SELECT
  member_id,
  event_id AS change_event_id,
  event_type AS change_type,
  first_name,
  last_name,
  email,
  phone,
  address,
  city,
  state,
  zip,
  try_cast(birth_date AS DATE) AS birth_date,
  home_club AS club_id,
  try_cast(join_date AS DATE) AS join_date,
  plan,
  previous_plan,
  billing_cycle,
  try_cast(price AS DECIMAL(10, 2)) AS price,
  status,
  changed_at AS valid_from,
  lead(changed_at) OVER w AS valid_to,
  lead(changed_at) OVER w IS NULL AS is_current
FROM events
WHERE changed_at IS NOT NULL
WINDOW w AS (PARTITION BY member_id ORDER BY changed_at, event_id)
ORDER BY member_id, valid_from, change_event_id
