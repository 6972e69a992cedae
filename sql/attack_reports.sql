-- Every article's air attack report beside the event it was consolidated into (attack_events.event_key): its figures, source, official or relay, rank in the event (1 = preferred), whether it counts (near-identical copies do not) and the evidence sentence with its offsets.
SELECT
    r.event_key,
    r.event_date,
    r.rank_in_event,
    r.reported_at,
    r.source,
    r.source_kind,
    r.counted,
    a.attacker,
    a.weapon_class,
    a.launched,
    a.launched_qualifier,
    a.intercepted,
    a.suppressed,
    a.impacts,
    a.models,
    r.time_precision,
    a.article_id,
    ar.title,
    ar.url,
    a.evidence,
    a.evidence_start,
    a.evidence_end,
    a.event_id
FROM air_attacks AS a
JOIN event_reports AS r ON r.event_id = a.event_id
LEFT JOIN articles AS ar ON ar.article_id = a.article_id
ORDER BY r.event_date, a.attacker, a.weapon_class, r.rank_in_event
