-- Territorial control claims per ISO week of the first claim (Monday start), admin1 (oblast) and actor: settlements claimed, how many, and how many of them are disputed.
SELECT
    CAST(date_trunc('week', event_date) AS DATE) AS week,
    coalesce(admin1, 'unknown') AS admin1,
    actor,
    count(*) AS settlements_claimed,
    count(*) FILTER (WHERE disputed) AS disputed,
    string_agg(settlement, ', ' ORDER BY settlement) AS settlements
FROM territorial_events
GROUP BY ALL
ORDER BY week, admin1, actor
