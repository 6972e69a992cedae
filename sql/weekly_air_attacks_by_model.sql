-- Air attacks per ISO week (Monday start), attacker, weapon class and weapon model from the consolidated outcome ledger: days the model was reported, launched and intercepted summed (best, else the lower bound), interception_rate over the days giving both.
WITH per_day AS (
    SELECT
        CAST(date_trunc('week', event_date) AS DATE) AS week,
        attacker,
        weapon_class,
        model,
        max(coalesce(best, low)) FILTER (WHERE outcome = 'launched') AS launched,
        max(coalesce(best, low)) FILTER (WHERE outcome = 'intercepted') AS intercepted
    FROM attack_event_outcomes
    WHERE model IS NOT NULL
    GROUP BY event_key, event_date, attacker, weapon_class, model
)
SELECT
    week,
    attacker,
    weapon_class,
    model,
    count(*) AS days,
    sum(launched)::BIGINT AS launched,
    sum(intercepted)::BIGINT AS intercepted,
    round(
        CAST(sum(intercepted) FILTER (WHERE launched IS NOT NULL AND intercepted IS NOT NULL) AS DOUBLE)
        / nullif(sum(launched) FILTER (WHERE launched IS NOT NULL AND intercepted IS NOT NULL), 0),
        3
    ) AS interception_rate
FROM per_day
GROUP BY ALL
ORDER BY week, attacker, weapon_class, model
