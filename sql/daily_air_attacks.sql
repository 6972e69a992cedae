-- Air attacks per day (event_date, else the article's published_at), attacker and weapon class: reports (rows), launched and intercepted as the MAX across rows, not the sum, since until consolidation exists each article reporting an attack adds a row and MAX keeps one attack from counting several times; interception_rate from rows giving both numbers.
SELECT
    coalesce(a.event_date, ar.published_at) AS day,
    a.attacker,
    a.weapon_class,
    count(*) AS reports,
    max(a.launched) AS launched,
    max(a.intercepted) AS intercepted,
    -- MAX over the rows that give both numbers, so the rate never mixes figures where one side is unknown;
    -- NULLIF: DuckDB gives inf, not NULL, for x / 0.
    round(
        max(a.intercepted) FILTER (WHERE a.launched IS NOT NULL AND a.intercepted IS NOT NULL)
        / nullif(max(a.launched) FILTER (WHERE a.launched IS NOT NULL AND a.intercepted IS NOT NULL), 0),
        3
    ) AS interception_rate
FROM air_attacks AS a
LEFT JOIN articles AS ar ON ar.article_id = a.article_id
GROUP BY 1, 2, 3
ORDER BY day NULLS LAST, attacker, weapon_class
