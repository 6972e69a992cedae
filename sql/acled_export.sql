-- salvo's consolidated events in ACLED's column layout (event_date, event_type, sub_event_type, actor1, admin1, location, fatalities, notes, source) for ACLED tooling: attacks and casualty events as Explosions/Remote violence, territorial claims as Battles (mapping in docs/warehouse.md).
WITH sources AS (
    SELECT event_key, string_agg(DISTINCT source, '; ' ORDER BY source) AS sources
    FROM event_reports
    WHERE counted
    GROUP BY event_key
),
actors AS (
    SELECT * FROM (VALUES ('RU', 'Military Forces of Russia (2000-)'), ('UA', 'Military Forces of Ukraine (2019-)')) AS t (side, actor)
)
SELECT
    e.event_date,
    'Explosions/Remote violence' AS event_type,
    CASE WHEN e.weapon_class = 'missile' THEN 'Shelling/artillery/missile attack' ELSE 'Air/drone strike' END AS sub_event_type,
    ac.actor AS actor1,
    CAST(NULL AS VARCHAR) AS admin1,
    -- air attack figures are national totals: the attacked country
    CASE e.attacker WHEN 'RU' THEN 'Ukraine' WHEN 'UA' THEN 'Russia' END AS location,
    0 AS fatalities,
    concat_ws('; ',
        e.attacker || ' ' || e.weapon_class || ' attack',
        'launched ' || e.launched,
        'intercepted ' || e.intercepted,
        'suppressed ' || e.suppressed,
        'impacts ' || e.impacts,
        'models ' || e.models,
        CASE WHEN e.disputed THEN 'disputed: launched ' || e.launched_min || '-' || e.launched_max END,
        e.n_reports || ' report(s), ' || e.n_sources || ' source(s)',
        'salvo ' || e.event_key
    ) AS notes,
    s.sources AS source
FROM attack_events AS e
LEFT JOIN actors AS ac ON ac.side = e.attacker
LEFT JOIN sources AS s ON s.event_key = e.event_key
UNION ALL
SELECT
    e.event_date,
    'Explosions/Remote violence',
    'Shelling/artillery/missile attack',
    -- casualty reports do not name the attacker: the other side of the country the place is in
    CASE e.country WHEN 'UA' THEN 'Military Forces of Russia (2000-)' WHEN 'RU' THEN 'Military Forces of Ukraine (2019-)' END,
    e.admin1,
    e.location,
    coalesce(e.killed, 0),
    concat_ws('; ',
        'killed ' || e.killed,
        'injured ' || e.injured,
        CASE WHEN e.disputed THEN 'disputed: killed ' || e.killed_min || '-' || e.killed_max || ', injured ' || e.injured_min || '-' || e.injured_max END,
        e.n_reports || ' report(s), ' || e.n_sources || ' source(s)',
        'salvo ' || e.event_key
    ),
    s.sources
FROM casualty_events AS e
LEFT JOIN sources AS s ON s.event_key = e.event_key
UNION ALL
SELECT
    e.event_date,
    'Battles',
    -- ACLED codes a foreign force taking ground as a non-state actor overtaking territory, and the
    -- country's own forces taking it back as the government regaining it
    CASE WHEN e.actor <> coalesce(e.country, 'UA') THEN 'Non-state actor overtakes territory' ELSE 'Government regains territory' END,
    ac.actor,
    e.admin1,
    e.settlement,
    0,
    concat_ws('; ',
        'control claimed: ' || e.actor,
        'claimed by ' || e.claimed_by,
        CASE WHEN e.disputed THEN 'disputed: the other side is also reported in control' END,
        e.n_reports || ' report(s), ' || e.n_sources || ' source(s)',
        'salvo ' || e.event_key
    ),
    s.sources
FROM territorial_events AS e
LEFT JOIN actors AS ac ON ac.side = e.actor
LEFT JOIN sources AS s ON s.event_key = e.event_key
ORDER BY event_date, event_type, notes
