-- Air attacks per day, attacker and weapon class, one consolidated event each (attack_events, however many articles reported it): launched, intercepted, suppressed, impacts as chosen (official over relay, latest first), interception_rate = intercepted / launched where both are known, the range across sources, n_sources and disputed.
SELECT
    event_date AS day,
    attacker,
    weapon_class,
    launched,
    intercepted,
    suppressed,
    impacts,
    -- NULLIF: DuckDB gives inf, not NULL, for x / 0
    round(intercepted / nullif(launched, 0), 3) AS interception_rate,
    launched_min,
    launched_max,
    intercepted_min,
    intercepted_max,
    n_sources,
    disputed,
    models
FROM attack_events
ORDER BY day, attacker, weapon_class
