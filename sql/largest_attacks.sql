-- The 20 consolidated air attacks with the most weapons launched: the chosen figures, the range across sources, n_sources, disputed, and the chosen report's article title, url and evidence sentence.
SELECT
    e.event_key,
    e.event_date AS day,
    e.attacker,
    e.weapon_class,
    e.launched,
    e.launched_qualifier,
    e.intercepted,
    e.launched_min,
    e.launched_max,
    e.n_sources,
    e.disputed,
    e.models,
    e.chosen_source AS source,
    ar.title,
    ar.url,
    e.evidence
FROM attack_events AS e
LEFT JOIN event_reports AS r ON r.event_id = e.chosen_event_id
LEFT JOIN articles AS ar ON ar.article_id = r.article_id
WHERE e.launched IS NOT NULL
ORDER BY e.launched DESC, e.event_key
LIMIT 20
