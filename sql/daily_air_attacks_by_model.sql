-- Air attacks per day, attacker, weapon class and weapon model (weapons.csv names) from the consolidated outcome ledger: launched and intercepted as the preferred report gives them (best, else the lower bound; low/high kept for ranges such as "more than 70"), interception_rate where both are known.
WITH per_model AS (
    SELECT
        event_date AS day,
        attacker,
        weapon_class,
        model,
        max(coalesce(best, low)) FILTER (WHERE outcome = 'launched') AS launched,
        max(low) FILTER (WHERE outcome = 'launched') AS launched_low,
        max(high) FILTER (WHERE outcome = 'launched') AS launched_high,
        max(coalesce(best, low)) FILTER (WHERE outcome = 'intercepted') AS intercepted,
        max(coalesce(best, low)) FILTER (WHERE outcome = 'suppressed') AS suppressed,
        max(n_sources) AS n_sources,
        bool_or(disputed) AS disputed
    FROM attack_event_outcomes
    WHERE model IS NOT NULL
    GROUP BY event_key, event_date, attacker, weapon_class, model
)
SELECT
    *,
    round(intercepted / nullif(launched, 0), 3) AS interception_rate
FROM per_model
ORDER BY day, attacker, weapon_class, model
