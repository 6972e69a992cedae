"""A Dagster run logs its progress to the run's log: the items read, and each extraction batch (batch i/n,
articles, rows, rate) through the asset's context.log, as SALVO_EXTRACT_BATCH cuts the run's articles."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
from warehouse_rows import seed_resources

from pipelines.cli import materialize_days, plan_days
from pipelines.days import contiguous_ranges

BATCH_LINE = re.compile(
    r"^extract: batch (\d+)/(\d+), (\d+) articles \((\d+)/(\d+) done\), (\d+) rows \((\d+) in all\), "
    r"[\d,]+ articles/s"
)


def test_a_run_logs_each_extraction_batch(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SALVO_EXTRACT_BATCH", "2")
    resources = seed_resources(tmp_path / "w.duckdb")
    first, last = contiguous_ranges(plan_days(resources))[0]  # the seeds' days of March 2025
    with dg.DagsterInstance.ephemeral() as instance:
        result = materialize_days(first, last, resources, instance=instance)
        assert result.success
        logs = instance.all_logs(result.run_id)
    messages = [(e.step_key, e.user_message) for e in logs if e.user_message]
    batches = [(step, BATCH_LINE.match(m)) for step, m in messages if BATCH_LINE.match(m)]
    assert batches, [m for _, m in messages][:40]
    assert {step for step, _ in batches} == {"extracted_events"}
    figures = [tuple(int(g) for g in m.groups()) for _, m in batches]
    n, total = figures[0][1], figures[0][4]
    assert n == len(figures) >= 2 and n == -(-total // 2)  # every batch of 2 of the run's articles, once
    assert [f[0] for f in figures] == list(range(1, n + 1))
    assert figures[-1][3] == total and figures[-1][6] > 0  # all done, with rows
    md = next(
        m.event_specific_data.materialization.metadata
        for m in result.get_asset_materialization_events()
        if m.asset_key.path == ["air_attack_reports"]
    )
    assert md["articles_extracted"].value == total
    assert any(step == "raw_articles" and m.startswith("read: ") for step, m in messages)
