-- Territorial control as claimed, one row per settlement, admin1 and actor (territorial_events): first and last reported day, every claimant, reports and sources, official reports, and disputed when another actor is reported in control of the same settlement.
SELECT
    settlement,
    admin1,
    actor,
    claimed_by,
    event_date AS first_reported,
    last_reported_at AS last_reported,
    n_reports,
    n_sources,
    n_official,
    disputed
FROM territorial_events
ORDER BY first_reported DESC NULLS LAST, settlement, actor
