-- Territorial control claims per settlement, admin1, actor and claimant: first reported date (event_date, else the article's published_at) and the number of articles reporting it.
SELECT
    t.settlement,
    t.admin1,
    t.actor,
    t.claimed_by,
    min(coalesce(t.event_date, ar.published_at)) AS first_reported,
    count(DISTINCT t.article_id) AS articles
FROM territorial_control AS t
LEFT JOIN articles AS ar ON ar.article_id = t.article_id
GROUP BY t.settlement, t.admin1, t.actor, t.claimed_by
ORDER BY first_reported DESC NULLS LAST, t.settlement, t.actor
