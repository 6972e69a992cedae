-- Casualties per admin1 (oblast; null as 'unknown'): reports (rows), killed and injured summed over rows (per article, so a toll reported by several articles counts several times until consolidation exists).
SELECT
    coalesce(admin1, 'unknown') AS admin1,
    count(*) AS reports,
    -- null when no row gives the number (unknown is not zero); HUGEINT sums cast back to BIGINT for polars.
    sum(killed)::BIGINT AS killed,
    sum(injured)::BIGINT AS injured
FROM casualties
GROUP BY 1
ORDER BY killed DESC NULLS LAST, injured DESC NULLS LAST, admin1
