-- The 20 air attack rows with the most weapons launched, with the article's title and url and the evidence sentence (rows are per article, so one attack may appear once per reporting article).
SELECT
    a.event_id,
    coalesce(a.event_date, ar.published_at) AS day,
    a.attacker,
    a.weapon_class,
    a.launched,
    a.intercepted,
    a.launched_qualifier,
    ar.title,
    ar.url,
    ar.source,
    a.evidence
FROM air_attacks AS a
LEFT JOIN articles AS ar ON ar.article_id = a.article_id
WHERE a.launched IS NOT NULL
ORDER BY a.launched DESC, a.event_id
LIMIT 20
