-- All-time casualties per admin1 (oblast; null as 'unknown') over consolidated casualty events (one per date and place, however many articles report it): events, killed and injured summed over the chosen figures, and how many events are disputed.
SELECT
    coalesce(admin1, 'unknown') AS admin1,
    count(*) AS events,
    -- null when no event gives the number (unknown is not zero); HUGEINT sums cast back to BIGINT for polars
    sum(killed)::BIGINT AS killed,
    sum(injured)::BIGINT AS injured,
    count(*) FILTER (WHERE disputed) AS disputed_events
FROM casualty_events
GROUP BY 1
ORDER BY killed DESC NULLS LAST, injured DESC NULLS LAST, admin1
