-- Air attacks per ISO week (Monday start), attacker and weapon class over consolidated events: attack days, launched, intercepted and suppressed summed, interception_rate over the events giving both launched and intercepted, and how many events are disputed.
SELECT
    CAST(date_trunc('week', event_date) AS DATE) AS week,
    attacker,
    weapon_class,
    count(*) AS attack_days,
    -- sum(BIGINT) is HUGEINT in DuckDB, which polars reads as decimal; cast back to BIGINT
    sum(launched)::BIGINT AS launched,
    sum(intercepted)::BIGINT AS intercepted,
    sum(suppressed)::BIGINT AS suppressed,
    round(
        CAST(sum(intercepted) FILTER (WHERE launched IS NOT NULL AND intercepted IS NOT NULL) AS DOUBLE)
        / nullif(sum(launched) FILTER (WHERE launched IS NOT NULL AND intercepted IS NOT NULL), 0),
        3
    ) AS interception_rate,
    count(*) FILTER (WHERE disputed) AS disputed_events
FROM attack_events
GROUP BY ALL
ORDER BY week, attacker, weapon_class
