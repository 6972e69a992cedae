-- Quarantined rows per stage (ingest, validate), table and reason: what did not load, and why.
SELECT
    stage,
    table_name,
    reason,
    count(*) AS "rows"
FROM quarantine
GROUP BY stage, table_name, reason
ORDER BY "rows" DESC, stage, table_name, reason
