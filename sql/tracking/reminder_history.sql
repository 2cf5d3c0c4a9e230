-- Every reminder of a cycle (parameter cycle_id) in the send ledger, for schedules and call lists.
SELECT
    m.agency_id AS agency_id,
    m.round AS round,
    m.status AS status,
    m.accepted_at AS accepted_at,
    m.created_at AS created_at,
    m.delivery_status AS delivery_status
FROM mail_message m
WHERE m.cycle_id = :cycle_id AND m.kind = 'reminder'
ORDER BY m.agency_id, m.round
