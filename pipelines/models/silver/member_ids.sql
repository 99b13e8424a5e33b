-- model: member_ids
-- layer: silver
-- depends: dim_member
-- description: Every member id the CRM has issued: the lookup facts check membership against.
SELECT DISTINCT member_id FROM dim_member ORDER BY member_id
