"""More phrasings as different outlets write them (all sentences written for these tests)."""

from __future__ import annotations

import pytest
from extract_helpers import air, cas, claims, prefetch, run


@pytest.fixture(scope="module", autouse=True)
def _one_extraction_for_the_module() -> None:
    """Every literal text of this module extracted in one call (extract_helpers.prefetch)."""
    prefetch(__file__)


def test_air_force_daily_tally_with_suppressed() -> None:
    got = air(
        "Russia launched 405 drones and 12 missiles overnight, the Ukrainian Air Force said. "
        "Air defences shot down 188 drones and nine missiles, while 190 drones were locationally lost."
    )
    assert got == {("RU", "drone"): (405, 188), ("RU", "missile"): (12, 9)}


def test_of_which_for_two_classes() -> None:
    got = air(
        "Russia attacked Ukraine with 352 drones and 16 missiles overnight, of which 88 drones and 15 missiles were downed."
    )
    assert got == {("RU", "drone"): (352, 88), ("RU", "missile"): (16, 15)}


def test_n_of_m_neutralised() -> None:
    assert air("The air force reported that 41 of 47 Shahed-type drones were neutralized.") == {
        ("RU", "drone"): (47, 41)
    }


def test_mod_total_with_regional_breakdown() -> None:
    got = air(
        "Russian air defence systems intercepted and destroyed 126 Ukrainian UAVs overnight: 40 over the Kursk region, "
        "33 over the Bryansk region and 53 over the Oryol region, the ministry said."
    )
    assert got == {("UA", "drone"): (None, 126)}


def test_ukraine_launched_drones_at_russia() -> None:
    assert air(
        "Ukraine launched 74 drones at Russia overnight, Moscow's Defence Ministry said, adding that all were destroyed."
    ) == {("UA", "drone"): (74, 74)}


def test_approximate_number_words() -> None:
    rows = run("Russia sent some two dozen drones toward the capital before dawn.")["air_attacks"]
    assert [(r["launched"], r["launched_qualifier"]) for r in rows] == [(24, "approx")]


def test_casualty_with_age() -> None:
    got = cas("In the Kharkiv region, a 56-year-old man was killed when a drone hit his car.")
    assert got == {"Kharkiv": (1, None)}
    got = cas("Russian shelling killed a 68-year-old woman in Nikopol, the governor said.")
    assert got == {"Dnipropetrovsk": (1, None)}


def test_death_toll_rose_with_children_subset() -> None:
    got = cas(
        "The death toll from the missile strike on Kryvyi Rih has risen to 20, including nine children, officials said."
    )
    assert got == {"Dnipropetrovsk": (20, None)}


def test_killed_and_others_injured_in_oblast() -> None:
    rows = run("Russian attacks on Kherson Oblast killed one person and injured 15 over the past day.")[
        "casualties"
    ]
    assert [(r["location"], r["admin1"], r["killed"], r["injured"]) for r in rows] == [
        ("Kherson Oblast", "Kherson", 1, 15)
    ]


def test_occupied_as_verb_and_adjective() -> None:
    assert claims(
        "Russian forces have occupied the village of Shevchenko in the Donetsk region, analysts said."
    ) == {"Shevchenko": ("Donetsk", "RU")}
    assert claims("Residents of occupied Melitopol reported explosions near the airfield.") == {}


def test_claims_to_have_captured() -> None:
    got = claims("Russia claims to have captured the village of Zelene Pole in Donetsk Oblast.")
    assert got == {"Zelene Pole": ("Donetsk", "RU")}


def test_recaptured_by_ukraine_is_ua() -> None:
    got = claims("Ukrainian troops recaptured the village of Bilohorivka, the General Staff said on Friday.")
    assert got == {"Bilohorivka": ("Luhansk", "UA")} or got == {"Bilohorivka": (None, "UA")}


def test_aid_and_production_sentences_give_no_attack_rows() -> None:
    assert (
        air("The United States sent 50 ATACMS missiles to Ukraine as part of a new military aid package.")
        == {}
    )
    assert air("Germany will deliver 300 drones and four air defence systems to Kyiv next year.") == {}
    assert (
        air(
            "The plant in Alabuga produces about 100 Shahed drones a day, according to intelligence estimates."
        )
        == {}
    )
    assert air("Ukraine received 12 Storm Shadow missiles from Britain in the spring.") == {}
    # a supplier adjective on a real interception is still an interception
    assert air(
        "Seven UK-supplied Storm Shadow missiles were shot down overnight, Russia's Defence Ministry said."
    ) == {("UA", "missile"): (None, 7)}


def test_cumulative_casualty_tallies_give_no_rows() -> None:
    assert (
        cas(
            "At least 12,000 civilians have been killed in Ukraine since the full-scale invasion began, the UN said."
        )
        == {}
    )
    assert cas("In 2023, 500 civilians were killed in Kharkiv, according to the regional prosecutor.") == {}
    assert cas("Since the start of the year, 43 people have been killed in Kherson by drones.") == {}


def test_provenance_is_not_production() -> None:
    assert air(
        "Four missiles manufactured by the United States were intercepted over the Belgorod region."
    ) == {("UA", "missile"): (None, 4)}


def test_outcome_ledger_with_bounds_models_and_suppressed() -> None:
    text = (
        "Russia launched 40 drones, six Kh-101 cruise missiles and up to three Kalibr missiles overnight. "
        "Air defences shot down 31 drones and more than five missiles, while seven drones were locationally lost. "
        "Two missiles hit their targets."
    )
    out = run(text)
    air_rows = {r["weapon_class"]: r for r in out["air_attacks"]}
    assert (
        air_rows["drone"]["launched"],
        air_rows["drone"]["intercepted"],
        air_rows["drone"]["suppressed"],
    ) == (40, 31, 7)
    assert (air_rows["missile"]["impacts"], air_rows["missile"]["models"]) == (2, "Kalibr, Kh-101")
    assert air_rows["missile"]["launched_qualifier"] == "approx"  # 6 exact + "up to 3"
    ledger = {
        (r["weapon_class"], r["model"], r["outcome"]): (r["low"], r["best"], r["high"])
        for r in out["attack_outcomes"]
    }
    assert ledger[("drone", None, "launched")] == (40, 40, 40)
    assert ledger[("drone", None, "suppressed")] == (7, 7, 7)
    assert ledger[("missile", None, "intercepted")] == (6, None, None)  # "more than five"
    assert ledger[("missile", "Kalibr", "launched")] == (None, None, 3)  # "up to three"
    assert ledger[("missile", "Kh-101", "launched")] == (6, 6, 6)
    assert ledger[("missile", None, "impacts")] == (2, 2, 2)
    assert all(r["event_id"] in {a["event_id"] for a in out["air_attacks"]} for r in out["attack_outcomes"])


def test_each_count_takes_the_place_next_to_it() -> None:
    rows = run(
        "In the Donetsk region, one civilian was killed in Kurakhove and another was wounded in Pokrovsk."
    )["casualties"]
    assert {(r["location"], r["killed"], r["injured"]) for r in rows} == {
        ("Kurakhove", 1, None),
        ("Pokrovsk", None, 1),
    }


def test_one_impact_is_not_the_nights_launch_figure() -> None:
    got = air(
        "Air defences shot down 120 drones overnight, the air force said. "
        "A drone struck an apartment block in Sumy, injuring four residents."
    )
    assert got == {("RU", "drone"): (None, 120)}
    assert air("A drone struck an apartment block in Sumy overnight.") == {("RU", "drone"): (1, None)}


def test_one_count_for_two_nouns_of_one_class() -> None:
    assert air(
        "Overnight the enemy attacked with 112 attack UAVs and decoy drones; 86 were neutralised."
    ) == {("RU", "drone"): (112, 86)}
    assert air("Russian forces launched 60 missiles and drones; 55 of them were destroyed.") == {}


def test_a_count_in_a_clause_without_place_takes_the_place_of_its_sentence() -> None:
    # the place stands in the first clause, the count after the semicolon
    assert cas("Poltava was attacked by drones overnight; three residents were injured.") == {"Poltava": (None, 3)}
    assert cas("In Chernihiv, a drone struck a school; a guard was killed.") == {"Chernihiv": (1, None)}


def test_a_models_plural_is_the_model() -> None:
    assert air("Air defence destroyed 12 Kh-101s and three S-300s overnight.") == {("RU", "missile"): (None, 15)}
