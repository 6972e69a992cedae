-- Casualties per admin1 (oblast; null as 'unknown') and month over consolidated casualty events: events, killed and injured summed over the chosen figures, killed_max summed over the largest figure any source gave, and places reported.
SELECT
    CAST(date_trunc('month', event_date) AS DATE) AS month,
    coalesce(admin1, 'unknown') AS admin1,
    count(*) AS events,
    sum(killed)::BIGINT AS killed,
    sum(injured)::BIGINT AS injured,
    sum(killed_max)::BIGINT AS killed_max,
    string_agg(DISTINCT location, ', ' ORDER BY location) AS places
FROM casualty_events
GROUP BY ALL
ORDER BY month, killed DESC NULLS LAST, admin1
