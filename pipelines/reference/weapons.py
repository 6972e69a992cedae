"""The weapon reference table: aliases as news writes them -> model, weapon class, and the side that fires it.

`weapons.csv` beside this file is the one place where weapon names live (sources: the weapon names used in
Ukrainian Air Force and Russian MoD daily reports, and SCHEMA.md's class rules). Extraction builds its weapon
noun pattern from it (pipelines/extract/weapons.py), and the warehouse publishes it as the `weapons` table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

WEAPONS_CSV = Path(__file__).with_name("weapons.csv")


@lru_cache(maxsize=1)
def load_weapons() -> pl.DataFrame:
    """alias (lower-case), model, weapon_class, attacker (null when either side uses it), family (a missile's
    kind as daily reports group them: cruise, ballistic, aeroballistic, guided, anti_aircraft, rocket), note."""
    return pl.read_csv(
        WEAPONS_CSV,
        schema_overrides={c: pl.String for c in ("alias", "model", "weapon_class", "attacker", "family", "note")},
    ).with_columns(pl.col("alias").str.to_lowercase())
