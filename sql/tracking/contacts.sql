-- Contacts of the agencies enrolled in a cycle (parameter cycle_id), with whether their address is on
-- the open correction list (it bounced or was dropped).
SELECT
    c.agency_id AS agency_id,
    c.role AS role,
    c.name AS name,
    c.title AS title,
    c.email AS email,
    c.phone AS phone,
    CASE WHEN mc.id IS NULL THEN 0 ELSE 1 END AS bounced
FROM contact c
JOIN cycle_agency ca ON ca.agency_id = c.agency_id AND ca.cycle_id = :cycle_id
LEFT JOIN mail_correction mc ON mc.email = LOWER(c.email) AND mc.status = 'open'
ORDER BY c.agency_id, c.id
