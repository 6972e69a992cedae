-- All-time air attacks per attacker and weapon class: attacks (rows), summed launched and intercepted, and interception_rate over the rows that give both numbers (rows are per article, so an attack reported by several articles counts several times).
SELECT
    attacker,
    weapon_class,
    count(*) AS attacks,
    -- sum(BIGINT) is HUGEINT in DuckDB, which polars reads as decimal; cast back to BIGINT.
    sum(launched)::BIGINT AS launched,
    sum(intercepted)::BIGINT AS intercepted,
    round(
        sum(intercepted) FILTER (WHERE launched IS NOT NULL AND intercepted IS NOT NULL)
        / nullif(sum(launched) FILTER (WHERE launched IS NOT NULL AND intercepted IS NOT NULL), 0),
        3
    ) AS interception_rate
FROM air_attacks
GROUP BY attacker, weapon_class
ORDER BY attacker, weapon_class
