-- All-time air attacks per attacker and weapon class over consolidated events (one per attack, not per article): attacks, launched and intercepted summed, and interception_rate over the attacks giving both numbers.
SELECT
    attacker,
    weapon_class,
    count(*) AS attacks,
    -- sum(BIGINT) is HUGEINT in DuckDB, which polars reads as decimal; cast back to BIGINT
    sum(launched)::BIGINT AS launched,
    sum(intercepted)::BIGINT AS intercepted,
    round(
        CAST(sum(intercepted) FILTER (WHERE launched IS NOT NULL AND intercepted IS NOT NULL) AS DOUBLE)
        / nullif(sum(launched) FILTER (WHERE launched IS NOT NULL AND intercepted IS NOT NULL), 0),
        3
    ) AS interception_rate
FROM attack_events
GROUP BY attacker, weapon_class
ORDER BY attacker, weapon_class
