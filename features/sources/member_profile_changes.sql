-- The CRM records member_profile reads, by the local day each took effect: an incremental build
-- rebuilds member_profile from the first day whose records changed.
SELECT fitlake_local_date(valid_from) AS day, member_id, valid_from, change_event_id, change_type, plan, billing_cycle, price, join_date, birth_date, club_id
FROM dim_member
