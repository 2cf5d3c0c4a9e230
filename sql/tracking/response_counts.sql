-- Enrolled agencies of a cycle (parameter cycle_id) counted by every reporting group and response status.
-- Rates for any grouping are sums over this (small) table.
SELECT
    a.level AS level,
    a.agency_type AS agency_type,
    a.mission AS mission,
    a.ministry AS ministry,
    a.province AS province,
    COALESCE(r.status, 'not_started') AS status,
    COUNT(*) AS n
FROM cycle_agency ca
JOIN agency a ON a.id = ca.agency_id
LEFT JOIN response r ON r.cycle_id = ca.cycle_id AND r.agency_id = ca.agency_id
WHERE ca.cycle_id = :cycle_id
GROUP BY a.level, a.agency_type, a.mission, a.ministry, a.province, COALESCE(r.status, 'not_started')
