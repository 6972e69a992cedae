-- Disputed attack and casualty events side by side: one row per report of each disputed event, in the event's preference order (rank 1 = chosen: official over relay, then latest), with that source's figures next to the event's chosen ones and the evidence sentence.
SELECT
    r.event_type,
    r.event_key,
    r.event_date,
    r.rank_in_event,
    r.source,
    r.source_kind,
    r.reported_at,
    a.launched,
    e.launched AS event_launched,
    a.intercepted,
    e.intercepted AS event_intercepted,
    a.suppressed,
    CAST(NULL AS BIGINT) AS killed,
    CAST(NULL AS BIGINT) AS event_killed,
    CAST(NULL AS BIGINT) AS injured,
    CAST(NULL AS BIGINT) AS event_injured,
    r.article_id,
    a.evidence
FROM attack_events AS e
JOIN event_reports AS r ON r.event_key = e.event_key AND r.event_type = 'air_attack' AND r.counted
JOIN air_attacks AS a ON a.event_id = r.event_id
WHERE e.disputed
UNION ALL
SELECT
    r.event_type,
    r.event_key,
    r.event_date,
    r.rank_in_event,
    r.source,
    r.source_kind,
    r.reported_at,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    c.killed,
    e.killed,
    c.injured,
    e.injured,
    r.article_id,
    c.evidence
FROM casualty_events AS e
JOIN event_reports AS r ON r.event_key = e.event_key AND r.event_type = 'casualties' AND r.counted
JOIN casualties AS c ON c.event_id = r.event_id
WHERE e.disputed
ORDER BY event_date, event_type, event_key, rank_in_event
