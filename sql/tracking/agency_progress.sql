-- One row per agency enrolled in a cycle (parameter cycle_id): group fields, response status, when the
-- invitation was accepted by SendGrid, reminders accepted, the latest e-mail event, the last
-- status change and any hold. Portable SQL (SQLite and PostgreSQL); day arithmetic is left to
-- the caller. A tie on the latest e-mail event may yield two rows per agency: keep the first.
SELECT
    a.id AS agency_id,
    a.code AS code,
    a.name_th AS name_th,
    a.level AS level,
    a.agency_type AS agency_type,
    a.mission AS mission,
    a.ministry AS ministry,
    a.province AS province,
    a.parent_id AS parent_id,
    COALESCE(r.status, 'not_started') AS status,
    r.submitted_at AS submitted_at,
    inv.accepted_at AS invited_at,
    COALESCE(rem.n, 0) AS reminders_sent,
    rem.last_at AS last_reminder_at,
    ev.last_at AS last_status_at,
    lm.delivery_status AS last_email_event,
    lm.last_event_at AS last_email_event_at,
    h.mode AS hold_mode
FROM cycle_agency ca
JOIN agency a ON a.id = ca.agency_id
LEFT JOIN response r ON r.cycle_id = ca.cycle_id AND r.agency_id = ca.agency_id
LEFT JOIN mail_message inv
    ON inv.cycle_id = ca.cycle_id AND inv.agency_id = ca.agency_id
    AND inv.kind = 'invitation' AND inv.round = 1 AND inv.status = 'accepted'
LEFT JOIN (
    SELECT agency_id, COUNT(*) AS n, MAX(accepted_at) AS last_at
    FROM mail_message
    WHERE cycle_id = :cycle_id AND kind = 'reminder' AND status = 'accepted'
    GROUP BY agency_id
) rem ON rem.agency_id = ca.agency_id
LEFT JOIN (
    SELECT response_id, MAX(at) AS last_at
    FROM response_event
    WHERE response_id IN (SELECT id FROM response WHERE cycle_id = :cycle_id)
    GROUP BY response_id
) ev ON ev.response_id = r.id
LEFT JOIN (
    SELECT agency_id, MAX(last_event_at) AS last_at
    FROM mail_message
    WHERE cycle_id = :cycle_id AND last_event_at IS NOT NULL
    GROUP BY agency_id
) le ON le.agency_id = ca.agency_id
LEFT JOIN mail_message lm
    ON lm.cycle_id = ca.cycle_id AND lm.agency_id = ca.agency_id AND lm.last_event_at = le.last_at
LEFT JOIN reminder_hold h ON h.cycle_id = ca.cycle_id AND h.agency_id = ca.agency_id
WHERE ca.cycle_id = :cycle_id
ORDER BY a.code
