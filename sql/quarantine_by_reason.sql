-- Quarantined rows per stage (ingest, validate), table and reason: what did not load, and why; a stage with nothing quarantined shows one row with 0.
SELECT
    s.stage,
    q.table_name,
    q.reason,
    count(q.quarantine_id) AS "rows"
FROM (VALUES ('ingest'), ('validate')) AS s (stage)
LEFT JOIN quarantine AS q ON q.stage = s.stage
GROUP BY s.stage, q.table_name, q.reason
ORDER BY "rows" DESC, s.stage, q.table_name, q.reason
