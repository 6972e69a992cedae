-- Data quality per day (partition_date): articles loaded, articles extracted (English or undetermined, not a near-identical copy), articles with at least one event row and their share of the extracted, input items quarantined at ingest and event rows quarantined at validation.
WITH with_events AS (
    SELECT article_id FROM air_attacks
    UNION
    SELECT article_id FROM casualties
    UNION
    SELECT article_id FROM territorial_control
),
per_day AS (
    SELECT
        ar.partition_date AS day,
        count(*) AS articles,
        count(*) FILTER (WHERE (ar.language IS NULL OR ar.language = 'en') AND ar.duplicate_of IS NULL) AS extracted,
        count(w.article_id) AS with_events
    FROM articles AS ar
    LEFT JOIN with_events AS w ON w.article_id = ar.article_id
    GROUP BY 1
),
rejected AS (
    SELECT
        -- an ingest reject carries its day in row_json; a validation reject is its article's day
        coalesce(TRY_CAST(json_extract_string(q.row_json, '$.partition_date') AS DATE), ar.partition_date) AS day,
        count(*) FILTER (WHERE q.stage = 'ingest') AS quarantined_ingest,
        count(*) FILTER (WHERE q.stage = 'validate') AS quarantined_validate
    FROM quarantine AS q
    LEFT JOIN articles AS ar ON ar.article_id = q.article_id AND q.stage <> 'ingest'
    GROUP BY 1
)
SELECT
    coalesce(p.day, r.day) AS day,
    coalesce(p.articles, 0) AS articles,
    coalesce(p.extracted, 0) AS extracted,
    coalesce(p.with_events, 0) AS with_events,
    round(p.with_events / nullif(p.extracted, 0), 3) AS share_with_events,
    coalesce(r.quarantined_ingest, 0) AS quarantined_ingest,
    coalesce(r.quarantined_validate, 0) AS quarantined_validate
FROM per_day AS p
FULL OUTER JOIN rejected AS r ON r.day IS NOT DISTINCT FROM p.day
ORDER BY day NULLS LAST
