"""Extraction rules, one test per phenomenon, on sentences written for these tests (none from the dev set)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from extract_helpers import air, cas, claims, prefetch, run

from pipelines.extract import contract_rows, extract_events, split_sentences
from pipelines.extract.numbers import normalise_for_matching


@pytest.fixture(scope="module", autouse=True)
def _one_extraction_for_the_module() -> None:
    """Every literal text of this module extracted in one call (extract_helpers.prefetch)."""
    prefetch(__file__)


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    "text,expected",
    [
        ("Forty-two drones", " 42 drones "),
        ("twenty one missiles", " 21 missiles "),
        ("a dozen drones and three dozen bombs", " 12 drones and 36 bombs "),
        ("1,250 drones", " 1250 drones "),
        ("someone often sent none", " someone often sent none "),  # words inside words stay
        ("hundreds of drones", " hundreds of drones "),  # vague plural: no number
        ("more than a thousand drones, two thousand bombs", " more than 1000 drones, 2000 bombs "),
        ("thousands of drones", " thousands of drones "),
        ("ninety-nine", " 99 "),
        # hyphens of every width are one hyphen; soft hyphens and zero-width spaces vanish
        ("three Kh\u2011101 and two Kh\u201059 missiles", " 3 Kh-101 and 2 Kh-59 missiles "),
        ("Sha\u00adhed drones\u200b", " Shahed drones "),
    ],
)
def test_number_words_become_digits(text: str, expected: str) -> None:
    assert pl.select(normalise_for_matching(pl.lit(text))).item() == expected


def test_sentence_offsets_point_into_the_article() -> None:
    text = "First one, at 3 a.m. local time. Second: U.S. officials spoke.\nThird line without stop\n\nFourth 54.9 percent!"
    s = split_sentences(pl.DataFrame({"article_id": ["x"], "text": [text]}))
    assert s["sentence"].to_list() == [
        "First one, at 3 a.m. local time.",
        "Second: U.S. officials spoke.",
        "Third line without stop",
        "Fourth 54.9 percent!",
    ]
    for row in s.iter_rows(named=True):
        assert text[row["start"] : row["end"]] == row["sentence"]


# --------------------------------------------------------------------------- air attacks
def test_launched_and_intercepted_per_class() -> None:
    got = air(
        "Russia launched 112 drones and nine missiles overnight. "
        "Ukraine's air force said its units shot down 97 of the drones and seven missiles."
    )
    assert got == {("RU", "drone"): (112, 97), ("RU", "missile"): (9, 7)}


def test_number_words_and_qualifiers() -> None:
    rows = run(
        "Russia sent roughly three hundred drones and fired more than twenty missiles at Ukraine overnight."
    )["air_attacks"]
    by_class = {r["weapon_class"]: r for r in rows}
    assert by_class["drone"]["launched"] == 300 and by_class["drone"]["launched_qualifier"] == "approx"
    assert by_class["missile"]["launched"] == 20 and by_class["missile"]["launched_qualifier"] == "more_than"


def test_all_n_means_every_one_was_downed() -> None:
    assert air(
        "Air defence units destroyed all 14 Russian drones launched at the Odesa region overnight."
    ) == {("RU", "drone"): (14, 14)}


@pytest.mark.parametrize("sep", ["out of", "of"])
def test_n_of_m(sep: str) -> None:
    assert air(f"Ukraine's military said it downed 41 {sep} 50 Shahed drones Russia launched overnight.") == {
        ("RU", "drone"): (50, 41)
    }


def test_both_and_a_single_missile() -> None:
    got = air(
        "Russia fired two cruise missiles and 12 drones at the city; air defences intercepted both missiles."
    )
    assert got[("RU", "missile")] == (2, 2)
    # SCHEMA.md: "a missile" / "the missile struck" is launched 1
    assert air("A Russian missile struck a warehouse in the Lviv region on Tuesday.") == {
        ("RU", "missile"): (1, None)
    }
    # a guess at the weapon type, with no launch or impact, is no count
    assert air("Investigators said it was most likely a ballistic missile.") == {}
    assert air("Officials said the missile struck a warehouse shortly after midnight.") == {
        ("RU", "missile"): (1, None)
    }


def test_missile_types_are_summed_into_one_row() -> None:
    got = air(
        "Overnight Russia fired six Kh-101 cruise missiles, three Kalibr missiles and two Kinzhal missiles at Ukraine. "
        "Air defences shot down nine of them."
    )
    assert got == {("RU", "missile"): (11, 9)}


def test_all_but_an_exception() -> None:
    got = air(
        "Russia attacked with 30 Shahed drones, two Kalibr cruise missiles and one Iskander-M ballistic missile. "
        "All the targets, except for the Iskander-M missile, were shot down, the air force said."
    )
    assert got == {("RU", "drone"): (30, 30), ("RU", "missile"): (3, 2)}


def test_electronic_warfare_losses_are_not_intercepted() -> None:
    got = air(
        "Russia launched 60 drones overnight. Air defences shot down 35 drones, while 22 drones were lost "
        "to electronic warfare."
    )
    assert got == {("RU", "drone"): (60, 35)}


def test_russian_mod_reports_ukrainian_drones() -> None:
    got = air(
        "Russia's Defence Ministry said its air defences destroyed 33 Ukrainian drones over the Kursk region overnight."
    )
    assert got == {("UA", "drone"): (None, 33)}


def test_ukrainian_weapons_by_name() -> None:
    got = air(
        "The ministry said air defence systems intercepted four ATACMS missiles and two Storm Shadow missiles."
    )
    assert got == {("UA", "missile"): (None, 6)}


def test_regional_figures_sum_when_no_total_is_given() -> None:
    got = air(
        "Russian air defences downed eight drones over the Bryansk region. "
        "Three more drones were destroyed over the Oryol region, the governor said."
    )
    assert got == {("UA", "drone"): (None, 11)}


def test_regional_breakdown_does_not_add_to_the_total() -> None:
    got = air(
        "Russian air defences destroyed 40 Ukrainian drones overnight. "
        "Twenty-five drones were destroyed over the Rostov region and 15 over the Krasnodar region."
    )
    assert got == {("UA", "drone"): (None, 40)}


def test_type_suffix_still_names_the_weapon() -> None:
    assert air("Russia launched 64 Shahed-type drones; 50 were shot down.") == {("RU", "drone"): (64, 50)}
    assert air("The bombers carried 20 missile-carrying pods.") == {}


def test_guided_bombs() -> None:
    assert air("Russian aircraft dropped eleven guided bombs on the town on Friday.") == {
        ("RU", "guided_bomb"): (11, None)
    }


def test_background_tallies_give_no_rows() -> None:
    assert air("Since the start of the year Russia has launched 9,000 drones at Ukraine.") == {}
    assert air("Over the past week Russian forces used more than 1,200 glide bombs and 40 missiles.") == {}


def test_combined_count_gives_no_class_row() -> None:
    assert air("Russia launched 55 missiles and drones at Ukraine overnight.") == {}


def test_weapon_used_as_a_modifier_is_not_a_count() -> None:
    assert air("A drone attack on the port damaged two warehouses.") == {}


# --------------------------------------------------------------------------- casualties
def test_casualties_per_place_with_city_to_oblast() -> None:
    got = cas(
        "A missile strike on Kryvyi Rih killed four people and injured 17, the governor said. "
        "In Kherson, Russian shelling wounded two men."
    )
    assert got == {"Dnipropetrovsk": (4, 17), "Kherson": (None, 2)}


def test_at_least_and_children_subset() -> None:
    rows = run("At least 12 people were injured in a drone attack on Sumy, including three children.")[
        "casualties"
    ]
    assert [(r["location"], r["admin1"], r["killed"], r["injured"], r["qualifier"]) for r in rows] == [
        ("Sumy", "Sumy", None, 12, "at_least")
    ]


def test_region_named_in_text_wins() -> None:
    got = cas("Two civilians were killed in the Zaporizhzhia region on Sunday, officials said.")
    assert got == {"Zaporizhzhia": (2, None)}


def test_latest_figure_wins() -> None:
    got = cas(
        "An air strike on Odesa killed three people and wounded 20. Later the number of injured rose to 31."
    )
    assert got == {"Odesa": (3, 31)}


def test_nationwide_totals_and_military_losses_give_no_rows() -> None:
    assert cas("Russian strikes across Ukraine killed nine people and injured 40 over the past day.") == {}
    assert (
        cas("Ukraine's General Staff said 1,100 Russian soldiers were killed and wounded in the past day.")
        == {}
    )


def test_two_places_in_one_sentence() -> None:
    rows = run("One person was killed in Sloviansk, while two people were injured in Kramatorsk.")[
        "casualties"
    ]
    assert {(r["location"], r["killed"], r["injured"]) for r in rows} == {
        ("Sloviansk", 1, None),
        ("Kramatorsk", None, 2),
    }


# --------------------------------------------------------------------------- territorial control
def test_capture_claim_with_region_and_claimant() -> None:
    rows = run(
        "Russia's defence ministry said its forces had captured the village of Nova Poltavka in the Donetsk region."
    )["territorial_control"]
    assert [(r["settlement"], r["admin1"], r["actor"], r["claimed_by"]) for r in rows] == [
        ("Nova Poltavka", "Donetsk", "RU", "RU MoD")
    ]


def test_list_of_villages() -> None:
    got = claims(
        "The ministry said Russian troops had taken the villages of Ivanivka, Petrivka and Stepove in the Kharkiv region."
    )
    assert got == {"Ivanivka": ("Kharkiv", "RU"), "Petrivka": ("Kharkiv", "RU"), "Stepove": ("Kharkiv", "RU")}


def test_ukrainian_liberation() -> None:
    got = claims(
        "Ukrainian forces said they had liberated the village of Kozacha Balka in the Zaporizhzhia region."
    )
    assert got == {"Kozacha Balka": ("Zaporizhzhia", "UA")}


def test_intent_history_and_place_adjectives() -> None:
    assert claims("Moscow's troops are trying to capture Siversk, which Ukraine will defend.") == {}
    assert claims("Kupiansk, which Ukraine recaptured in 2022, is under pressure again.") == {}
    assert claims("Russia has repeatedly failed to take control of Huliaipole.") == {}


# --------------------------------------------------------------------------- negatives and contract
def test_hard_negative_article_gives_no_rows() -> None:
    got = run(
        "The European Union approved 90 billion euros in loans for Ukraine and 18 new sanctions. "
        "Officials said 300 prisoners were exchanged, and 40 air defence systems will be delivered next year."
    )
    assert got == {"air_attacks": [], "casualties": [], "territorial_control": [], "attack_outcomes": []}


def test_evidence_offsets_match_the_article_text() -> None:
    text = "Intro line.\nRussia launched 17 drones at the city overnight. Fourteen were shot down."
    rows = run(text)["air_attacks"]
    assert rows and all(text[r["evidence_start"] : r["evidence_end"]] == r["evidence"] for r in rows)


def test_contract_rows_are_json_with_schema_fields() -> None:
    arts = pl.DataFrame(
        {
            "article_id": ["z"],
            "text": ["Russia launched 8 missiles at Kyiv. Air defences downed six of them."],
        }
    )
    rows = [json.loads(json.dumps(r)) for r in contract_rows(extract_events(arts))]
    assert rows == [
        {
            "article_id": "z", "event_type": "air_attack", "attacker": "RU", "weapon_class": "missile",
            "launched": 8, "intercepted": 6, "launched_qualifier": "exact", "event_date": None,
        }
    ]  # fmt: skip


def test_contract_names_the_oblast_around_moscow_by_its_short_name() -> None:
    # SCHEMA.md's admin1 is the short name ("Moscow"); the warehouse keeps the gazetteer's "Moscow Oblast"
    arts = pl.DataFrame(
        {"article_id": ["m"], "text": ["A drone crashed into a house in Ramenskoye, Moscow region, injuring two people."]}
    )
    events = extract_events(arts)
    assert events["casualties"]["admin1"].to_list() == ["Moscow Oblast"]
    rows = [r for r in contract_rows(events) if r["event_type"] == "casualties"]
    assert [r["admin1"] for r in rows] == ["Moscow"]
