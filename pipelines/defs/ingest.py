"""Ingest assets: input items -> raw_articles -> articles."""

import dagster as dg
import polars as pl

from pipelines.defs.resources import ArticleSourceResource
from pipelines.ingest import accepted_articles


@dg.asset(
    group_name="ingest",
    description="Every input item read from the article sources; rejects carry their reason.",
)
def raw_articles(context: dg.AssetExecutionContext, article_source: ArticleSourceResource) -> pl.DataFrame:
    raw = article_source.read()
    rejected = raw.filter(pl.col("reject_reason").is_not_null())
    context.add_output_metadata(
        {
            "items": raw.height,
            "rejected": rejected.height,
            "reject_reasons": dg.MetadataValue.json(
                dict(rejected.group_by("reject_reason").len().iter_rows()) if rejected.height else {}
            ),
        }
    )
    return raw


@dg.asset(
    group_name="ingest", description="Accepted articles: normalised text, stable article_id, content_hash."
)
def articles(context: dg.AssetExecutionContext, raw_articles: pl.DataFrame) -> pl.DataFrame:
    arts = accepted_articles(raw_articles)
    context.add_output_metadata({"articles": arts.height})
    return arts
