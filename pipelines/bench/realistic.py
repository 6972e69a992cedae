"""A benchmark corpus as dense in events as real reporting: `make bench` by default (`--corpus realistic`).

`synth.py`'s articles are ~3 KB of mostly filler, so the pre-filters skip nine sentences in ten and the
extractor's per-sentence work is a small part of its time. Real war reporting is the other way round: short
articles (about 1.2 KB) in which most sentences name a weapon, a toll, a strike or a front-line place, and many
of those give no row (a tally since the start of the war, a claim that could not be verified, the wounded taken
to hospital). This corpus is written to the event density of such reporting, measured on the dev set by
`density.py` (the share of sentences with event words and passing each kind's pre-filter, rows per KB, mean
sentence length): within ±20% of each (`python -m pipelines.bench` prints both side by side).

Each sentence is one of these kinds, drawn with the probabilities of KIND_WEIGHTS; the first sentence of an
article is an event of its topic (an air attack, a toll, a claim), as news leads:
  air        an attack's figures: launched, shot down, missiles by type, glide bombs, drones over Russia
  air_ctx    weapons without a night's figures: alerts, explosions, tallies since the invasion, requests for
             air defence (the air pre-filter passes them; they must give no row)
  cas        a toll in a Ukrainian city or oblast
  cas_ctx    the wounded, the rescuers, mourning, earlier tolls (casualty pre-filter, no row)
  ter        a capture or liberation claim on a front-line settlement
  ter_ctx    fighting, advances repelled, unverified claims (territorial pre-filter, no row)
  strike     damage of a strike without a count: event words of no kind's pre-filter ("debris", "shelling")
  filler     the day's other news (no event words)
Articles are 4-16 sentences. Half the outlets print curly typography and 3% of articles are another outlet's
copy of an earlier story of the same day, as in synth.py (so screening has near-duplicates to link). The
templates are written for the benchmark (not taken from the dev set). Article `i` depends only on (seed, i):
a smaller size is a prefix of a larger one.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

from pipelines.bench.synth import (
    _MODIFIERS,
    _OBJECTS,
    _SUBJECTS,
    _TAILS,
    _VERBS,
    CITIES,
    LEADERS,
    MONTHS,
    PEOPLE,
    RU_REGIONS,
    SOURCES,
    START_DATE,
    TYPESET_SOURCES,
    VILLAGES,
    WEEKDAYS,
    WIRE_COPY_SHARE,
    _typeset,
    cached_dataset,
    cap,
    count,
    write_articles,
)

NAME = "realistic"
GENERATOR_VERSION = 1  # bump when templates change: cached files carry it in their name
ARTICLES_PER_DAY = 1000
BYTES_PER_ARTICLE = 1_500  # JSONL bytes per article, rounded up (the benchmark's disk check)
SENTENCES = (4, 16)  # sentences per article, uniform

# the probability of each kind of sentence after the first (tuned to the dev set's density, module doc)
KIND_WEIGHTS = {
    "air": 0.025,
    "air_ctx": 0.2,
    "cas": 0.02,
    "cas_ctx": 0.135,
    "ter": 0.012,
    "ter_ctx": 0.165,
    "strike": 0.045,
    "filler": 0.398,
}
# a clause of attribution or circumstance closes this share of sentences (real reporting's sentences run long)
ADDENDUM_SHARE = 0.45
# the lead sentence's kind
TOPICS = {"air": 0.45, "cas": 0.33, "ter": 0.22}

FRONT_OBLASTS = ["Donetsk", "Zaporizhzhia", "Kharkiv", "Dnipropetrovsk", "Luhansk"]
TOWNS = ["Pokrovsk", "Kostiantynivka", "Kupiansk", "Huliaipole", "Siversk", "Lyman", "Orikhiv", "Toretsk"]
ARMS = ["Shahed-type attack drones", "attack drones", "drones of various types", "Geran-2 drones", "UAVs"]


def _q(rng: random.Random) -> str:
    return rng.choice(["", "", "", "about ", "at least ", "more than ", "nearly "])


# --------------------------------------------------------------------------- sentences of each kind
def _air(rng: random.Random) -> str:
    n = rng.randint(15, 700)
    shot = rng.randint(n // 2, n)
    m = rng.randint(1, 40)
    city, region = rng.choice(list(CITIES)), rng.choice(RU_REGIONS)
    day = rng.choice(WEEKDAYS)
    return rng.choice(
        [
            f"Russia launched {_q(rng)}{count(rng, n)} {rng.choice(ARMS)} and {count(rng, m)} missiles at Ukraine "
            f"overnight, the air force said.",
            f"Air defences shot down {count(rng, shot)} of the {count(rng, n)} drones Russia launched overnight, the "
            f"air force said on {day}.",
            f"Ukraine's air force said it had destroyed {count(rng, shot)} drones and {count(rng, rng.randint(0, m))} "
            f"missiles over the country overnight.",
            f"The Russian defence ministry said its air defences intercepted {count(rng, rng.randint(5, 250))} "
            f"Ukrainian drones over the {region} region.",
            f"Russian aircraft dropped {count(rng, rng.randint(3, 80))} guided aerial bombs on {city} and nearby "
            f"villages on {day}.",
            f"The attack involved {count(rng, rng.randint(1, 9))} Iskander-M ballistic missiles and "
            f"{count(rng, rng.randint(2, 30))} Kh-101 cruise missiles, the air force said.",
            f"{cap(count(rng, rng.randint(2, 60)))} drones were lost to electronic warfare and did not reach "
            f"their targets, the military said.",
        ]
    )


def _air_ctx(rng: random.Random) -> str:
    city = rng.choice(list(CITIES))
    return rng.choice(
        [
            f"Explosions were heard in {city} as air defence units worked against attack drones.",
            f"The air raid alert in {city} lasted more than {count(rng, rng.randint(2, 9))} hours as drones "
            f"circled over the city.",
            "Kyiv has asked its partners for more Patriot systems to counter Russian ballistic missiles.",
            f"Monitoring channels said several groups of drones were heading towards {city} from the east.",
            f"{rng.choice(LEADERS)} said Russia had again used missiles and drones against energy facilities.",
            f"Since the start of the full-scale invasion, Russia has launched more than "
            f"{rng.randint(20, 60)},000 drones at Ukraine.",
            f"In {rng.choice(MONTHS)}, Russia launched a record number of drones at Ukrainian cities, "
            f"according to an analysis of air force data.",
            "Officials did not say what type of missile hit the building or whether it had been intercepted.",
            f"Drone debris damaged the roof of a warehouse in {city}, and firefighters put out a small fire.",
            "Ukraine has been building interceptor drones to bring down Shaheds more cheaply.",
        ]
    )


def _cas(rng: random.Random) -> str:
    city = rng.choice(list(CITIES))
    oblast = CITIES[city]
    k, i = rng.randint(1, 20), rng.randint(1, 70)
    gov = rng.choice(PEOPLE)
    return rng.choice(
        [
            f"A Russian missile strike on {city} killed {count(rng, k)} people and injured {count(rng, i)}, "
            f"{gov} said.",
            f"{cap(count(rng, i))} civilians were wounded in Russian shelling of {city} in the {oblast} region over "
            f"the past day.",
            f"In {city}, a drone hit an apartment building, killing {count(rng, k)} people, the regional "
            f"administration said.",
            f"The death toll from the strike on {city} has risen to {count(rng, k)}, with {count(rng, i)} people "
            f"injured, officials said.",
            f"{cap(count(rng, k))} people were killed and {count(rng, i)} injured in a glide bomb attack on "
            f"{city}, the governor said.",
        ]
    )


def _cas_ctx(rng: random.Random) -> str:
    city = rng.choice(list(CITIES))
    return rng.choice(
        [
            "Doctors said several of the injured were in serious condition.",
            f"Rescue workers were still searching the rubble for victims on {rng.choice(WEEKDAYS)} evening.",
            f"The city of {city} declared a day of mourning for those killed in the attack.",
            "Among the wounded were several children, who were taken to hospital with shrapnel injuries.",
            f"More than {rng.randint(2, 14)},000 civilians have been killed since the full-scale invasion began, "
            f"according to the United Nations.",
            "The victims included a woman and her neighbour, local officials said.",
            "Psychologists were working with residents who survived the attack.",
        ]
    )


def _ter(rng: random.Random) -> str:
    village, oblast, town = rng.choice(VILLAGES), rng.choice(FRONT_OBLASTS), rng.choice(TOWNS)
    return rng.choice(
        [
            f"Russia's defence ministry claimed its forces had captured the village of {village} in the "
            f"{oblast} region.",
            f"Ukrainian troops liberated {village} in the {oblast} region, the General Staff said on "
            f"{rng.choice(WEEKDAYS)}.",
            f"Russian forces took control of {village}, near {town}, according to the Russian military.",
            f"Moscow said its troops had seized {village}, a village east of {town}.",
        ]
    )


def _ter_ctx(rng: random.Random) -> str:
    village, town = rng.choice(VILLAGES), rng.choice(TOWNS)
    return rng.choice(
        [
            f"Ukrainian forces said they had pushed back {count(rng, rng.randint(3, 40))} Russian assaults near "
            f"{village} over the past day.",
            "The claim could not be independently verified, and Kyiv did not confirm the loss of the village.",
            f"Analysts said Russian troops were trying to advance on {town} and would likely try to capture it.",
            f"Ukraine's military said the situation near {town} was difficult but under control.",
            f"Russian units have been trying to take {town} for months at the cost of heavy losses.",
            "The Institute for the Study of War said the Russian claims were not supported by footage.",
            f"Residents were being forced to leave villages around {town} as the front line moved closer.",
        ]
    )


def _strike(rng: random.Random) -> str:
    city = rng.choice(list(CITIES))
    return rng.choice(
        [
            f"The shelling damaged several homes and a school in {city}.",
            f"Debris damaged power lines and cars in two districts of {city}, officials said.",
            "Several explosions were heard shortly after midnight, local media reported.",
            f"Russian forces attacked the energy infrastructure of {city} again, the operator said.",
            f"The strike hit an industrial site on the outskirts of {city}, causing a large fire.",
        ]
    )


def _filler(rng: random.Random) -> str:
    where = rng.choice(["", "", f" in {rng.choice(list(CITIES))}", f" on {rng.choice(WEEKDAYS)}"])
    extra = rng.choice(["", "", "", f" worth {rng.randint(2, 900)} million hryvnias",
                        f" for {rng.randint(2, 90)} thousand people"])  # fmt: skip
    also = ""
    if rng.random() < 0.6:  # a second clause, as news sentences have
        also = f", while {rng.choice(_SUBJECTS).lower()} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
    return (
        f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{extra}{where} "
        f"{rng.choice(_MODIFIERS)}{also}{rng.choice(_TAILS)}."
    )


def _addendum(rng: random.Random) -> str:
    """A closing clause of attribution or circumstance (no event word of any kind)."""
    return rng.choice(
        [
            " in a statement on Telegram",
            f" in comments to journalists late on {rng.choice(WEEKDAYS)}",
            ", according to a statement published on the official website",
            ", adding that more details would be released later in the day",
            f", in a message to residents of the {rng.choice(list(CITIES))} area",
            ", citing preliminary information from the emergency services",
            f" during a briefing in {rng.choice(['Kyiv', 'Brussels', 'Warsaw', 'Berlin'])} on {rng.choice(WEEKDAYS)}",
        ]
    )


def _sentence(rng: random.Random, kind: str) -> str:
    text = KINDS[kind](rng)
    if rng.random() < ADDENDUM_SHARE and text.endswith("."):
        text = text[:-1] + _addendum(rng) + "."
    return text


KINDS = {
    "air": _air,
    "air_ctx": _air_ctx,
    "cas": _cas,
    "cas_ctx": _cas_ctx,
    "ter": _ter,
    "ter_ctx": _ter_ctx,
    "strike": _strike,
    "filler": _filler,
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def make_article(seed: int, i: int, per_day: int = ARTICLES_PER_DAY) -> dict:
    """Article number `i` of the stream for `seed` (an ARTICLES-like JSON object)."""
    rng = random.Random(f"salvo-realistic-{seed}-{i}")
    day = START_DATE + dt.timedelta(days=i // per_day)
    source = SOURCES[i % len(SOURCES)]
    ident = f"bench-r{seed}-{i:07d}"
    url = f"https://news.example/{day.isoformat()}/r{i}"
    original = i - rng.randint(1, 50)
    if rng.random() < WIRE_COPY_SHARE and original // per_day == i // per_day and original >= 0:
        copy = make_article(seed, original, per_day)
        if not copy["text"].endswith("wire desk.)"):
            return {**copy, "id": ident, "url": url, "source": source,
                    "text": f"{copy['text']}\n(Reporting by {source} staff; editing by the wire desk.)"}  # fmt: skip
    topic = _pick(rng, TOPICS)
    sentences = [_sentence(rng, topic)]
    sentences += [_sentence(rng, _pick(rng, KIND_WEIGHTS)) for _ in range(rng.randint(*SENTENCES) - 1)]
    # paragraphs of one to three sentences
    paragraphs, k = [], 0
    while k < len(sentences):
        step = rng.randint(1, 3)
        paragraphs.append(" ".join(sentences[k : k + step]))
        k += step
    text = "\n".join(paragraphs)
    title = {"air": "Overnight attack on Ukraine", "cas": "Casualties after Russian strike",
             "ter": "Front-line claims"}[topic]  # fmt: skip
    if SOURCES.index(source) < TYPESET_SOURCES:
        text, title = _typeset(text), _typeset(title)
    return {"id": ident, "url": url, "title": title, "published_at": day.isoformat(), "source": source,
            "text": text}  # fmt: skip


def iter_articles(n: int, seed: int = 0, start: int = 0, per_day: int = ARTICLES_PER_DAY) -> Iterator[dict]:
    for i in range(start, start + n):
        yield make_article(seed, i, per_day)


def write_jsonl(path: Path, n: int, seed: int = 0, per_day: int = ARTICLES_PER_DAY, start: int = 0) -> int:
    """Articles `start`..`start + n - 1` as JSON lines, streaming; returns the file's bytes."""
    return write_articles(path, iter_articles(n, seed, start=start, per_day=per_day))


def dataset_path(bench_dir: Path, n: int, seed: int) -> Path:
    return bench_dir / f"{NAME}_v{GENERATOR_VERSION}_s{seed}_n{n}.jsonl"


def ensure_dataset(bench_dir: Path, n: int, seed: int) -> Path:
    """The JSONL file of `n` articles for `seed`, generated (or cut from a larger cached one) if absent."""
    return cached_dataset(bench_dir, NAME, GENERATOR_VERSION, n, seed, write_jsonl)
