"""Synthetic war-news articles for the benchmark: about 3 KB each, deterministic by seed and index.

Each article is a handful of event sentences (air attacks with digits and number words, missile-type
breakdowns, intercepted and lost counts, guided bombs, Ukrainian drones over Russian regions, casualties in
real Ukrainian cities and oblasts, capture claims, some hedged claims that must yield no row) padded with
non-event filler (diplomacy, economy, energy, quotes). Some filler mentions weapons or casualty words without
reporting an event ("drone production", "air defence systems", "control"), so the literal pre-filters let
some non-event sentences through, as real news does.

Article `i` depends only on (seed, i): the first 10k articles of the 1M file are the 10k file, so a smaller
size is a prefix of a larger one and is cut from it instead of being generated again.
The templates are written for the benchmark; they are not the evaluation set.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

NAME = "synth"  # `python -m pipelines.bench --corpus synth`
GENERATOR_VERSION = 3  # bump when templates change: cached files carry it in their name
BYTES_PER_ARTICLE = 3_500  # JSONL bytes per article, rounded up (the benchmark's disk check)
TARGET_CHARS = 3000  # text length aimed at per article (filler is added until it is reached)
ARTICLES_PER_DAY = 1000  # published_at advances one day every this many articles (archive order)
WIRE_COPY_SHARE = 0.03  # articles that are another outlet's copy of an earlier story of the same day
TYPESET_SOURCES = 5  # the first this many SOURCES print curly quotes, apostrophes and dashes
START_DATE = dt.date(2022, 3, 1)

# --------------------------------------------------------------------------- reference data (real places)
# Ukrainian city -> oblast (as news writes both)
CITIES = {
    "Kyiv": "Kyiv", "Kharkiv": "Kharkiv", "Odesa": "Odesa", "Dnipro": "Dnipropetrovsk",
    "Zaporizhzhia": "Zaporizhzhia", "Lviv": "Lviv", "Sumy": "Sumy", "Kherson": "Kherson",
    "Mykolaiv": "Mykolaiv", "Chernihiv": "Chernihiv", "Poltava": "Poltava", "Kryvyi Rih": "Dnipropetrovsk",
    "Kramatorsk": "Donetsk", "Sloviansk": "Donetsk", "Nikopol": "Dnipropetrovsk", "Izmail": "Odesa",
    "Bila Tserkva": "Kyiv", "Vinnytsia": "Vinnytsia", "Khmelnytskyi": "Khmelnytskyi", "Ternopil": "Ternopil",
    "Rivne": "Rivne", "Lutsk": "Volyn", "Zhytomyr": "Zhytomyr", "Cherkasy": "Cherkasy",
    "Kropyvnytskyi": "Kirovohrad", "Uzhhorod": "Zakarpattia", "Kostiantynivka": "Donetsk",
    "Pavlohrad": "Dnipropetrovsk", "Kupiansk": "Kharkiv", "Kremenchuk": "Poltava", "Konotop": "Sumy",
    "Shostka": "Sumy", "Brovary": "Kyiv", "Fastiv": "Kyiv", "Bilhorod-Dnistrovskyi": "Odesa",
    "Chuhuiv": "Kharkiv", "Izium": "Kharkiv", "Pokrovsk": "Donetsk", "Druzhkivka": "Donetsk",
}  # fmt: skip
OBLASTS = sorted(set(CITIES.values()))
# front-line settlements named in capture claims
VILLAGES = [
    "Novoselivka", "Berezove", "Andriivka", "Klishchiivka", "Robotyne", "Krynky", "Stepove", "Vodiane",
    "Pervomaiske", "Nevelske", "Krasnohorivka", "Urozhaine", "Staromaiorske", "Synkivka", "Ivanivka",
    "Bohdanivka", "Orikhiv", "Kurakhove", "Toretsk", "Chasiv Yar", "Vuhledar", "Siversk", "Lyman",
    "Velyka Novosilka", "Selydove", "Myrnohrad", "Hirnyk", "Ostrivske", "Kalynove", "Novomykhailivka",
    "Tonenke", "Sokil", "Yasnobrodivka", "Zhelanne", "Netailove", "Umanske", "Prohres", "Ocheretyne",
]  # fmt: skip
RU_REGIONS = ["Belgorod", "Kursk", "Bryansk", "Oryol", "Voronezh", "Rostov", "Lipetsk", "Tula", "Kaluga",
              "Smolensk", "Ryazan", "Tambov", "Krasnodar", "Moscow"]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
PEOPLE = ["Oleh Syniehubov", "Ivan Fedorov", "Vadym Filashkin", "Serhiy Lysak", "Oleh Kiper", "Ihor Terekhov",
          "Vitali Klitschko", "Vitaliy Kim", "Oleksandr Prokudin", "Volodymyr Artiukh"]  # fmt: skip
LEADERS = ["President Volodymyr Zelenskyy", "Foreign Minister Andrii Sybiha", "Prime Minister Denys Shmyhal",
           "NATO Secretary General Mark Rutte", "EU foreign policy chief Kaja Kallas",
           "Kremlin spokesman Dmitry Peskov", "German Chancellor Friedrich Merz", "French President Emmanuel Macron"]  # fmt: skip
SOURCES = ["Kyiv Independent", "Ukrainska Pravda", "Reuters", "Associated Press", "Ukrinform", "Kyiv Post",
           "BBC News", "Al Jazeera", "Meduza", "RBC-Ukraine"]  # fmt: skip

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_word(n: int) -> str:
    """1..99 as an English word ("twenty-three")."""
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    return _TENS[tens] + (f"-{_UNITS[unit]}" if unit else "")


def count(rng: random.Random, n: int) -> str:
    """A count as news writes it: mostly digits, number words for small numbers, "a dozen" now and then."""
    if n == 12 and rng.random() < 0.3:
        return "a dozen"
    if n < 100 and rng.random() < 0.35:
        return number_word(n)
    if n >= 1000:
        return f"{n:,}"
    return str(n)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# --------------------------------------------------------------------------- event sentences
def _air_ru(rng: random.Random) -> list[str]:
    drones = rng.randint(20, 650)
    shot = rng.randint(drones // 2, drones)
    lost = rng.randint(0, drones - shot)
    city, city2 = rng.sample(list(CITIES), 2)
    q = rng.choice(["", "", "about ", "at least ", "more than ", "approximately "])
    out = []
    if rng.random() < 0.55:
        kh, isk, kal = rng.randint(0, 30), rng.randint(0, 8), rng.randint(0, 12)
        missiles = kh + isk + kal or 1
        out.append(
            f"Russia attacked Ukraine overnight with {q}{count(rng, drones)} Shahed-type attack drones and "
            f"{count(rng, missiles)} missiles of various types, Ukraine's Air Force said on {rng.choice(WEEKDAYS)}."
        )
        if kh and isk and kal:
            out.append(
                f"The missiles included {count(rng, kh)} Kh-101 cruise missiles, {count(rng, isk)} Iskander-M "
                f"ballistic missiles and {count(rng, kal)} Kalibr missiles fired from ships in the Black Sea."
            )
        m_shot = rng.randint(0, missiles)
        out.append(
            f"Air defence units shot down {count(rng, shot)} drones and {count(rng, m_shot)} missiles, the air "
            f"force said, adding that the main target of the attack was {city}."
        )
    else:
        out.append(
            f"Russian forces launched {q}{count(rng, drones)} drones, including decoys, at {city}, {city2} and "
            f"other cities overnight, the Ukrainian military said."
        )
        out.append(
            f"Air defences destroyed {count(rng, shot)} of them over the north, east and centre of the country."
        )
    if lost and rng.random() < 0.6:
        out.append(
            f"Another {count(rng, lost)} drones were lost to electronic warfare and failed to reach their targets."
        )
    return out


def _air_bombs(rng: random.Random) -> list[str]:
    city = rng.choice(["Kharkiv", "Zaporizhzhia", "Sumy", "Kherson", "Kostiantynivka", "Kramatorsk"])
    return [
        f"Russian aircraft also dropped {count(rng, rng.randint(2, 60))} guided aerial bombs on {city} and "
        f"surrounding villages on {rng.choice(WEEKDAYS)}, according to the regional authorities."
    ]


def _air_ua(rng: random.Random) -> list[str]:
    r1, r2 = rng.sample(RU_REGIONS, 2)
    n = rng.randint(3, 180)
    if rng.random() < 0.5:
        return [
            f"Russia's defence ministry said its air defences had destroyed {count(rng, n)} Ukrainian drones over "
            f"the {r1} and {r2} regions during the night."
        ]
    return [
        f"Ukraine launched {count(rng, n)} long-range drones at an oil refinery in Russia's {r1} region, a source "
        f"in the Security Service of Ukraine said."
    ]


def _casualties(rng: random.Random) -> list[str]:
    city = rng.choice(list(CITIES))
    oblast = CITIES[city]
    k, i = rng.randint(1, 25), rng.randint(0, 90)
    gov = rng.choice(PEOPLE)
    kind = rng.random()
    if kind < 0.35:
        return [
            f"In {city}, a Russian missile strike killed {count(rng, k)} people and injured at least "
            f"{count(rng, i)}, the head of the {oblast} regional military administration, {gov}, said."
        ]
    if kind < 0.65:
        return [
            f"{cap(count(rng, k))} civilians were killed and {count(rng, i)} wounded in the shelling of {city}, "
            f"{oblast} Oblast, officials said on {rng.choice(WEEKDAYS)}.",
            f"Rescuers were still searching the rubble of a five-storey building, {gov} said.",
        ]
    if kind < 0.85:
        return [
            f"A drone struck an apartment block in {city}, injuring {count(rng, i + 2)} residents, including "
            f"{count(rng, rng.randint(1, 2))} children, the regional governor said.",
            f"The death toll from the attack on {city} has risen to {count(rng, k)}, {gov} said later on Telegram.",
        ]
    return [
        f"Russian shelling of the {oblast} region over the past day killed {count(rng, k)} people and wounded "
        f"{count(rng, i)} more, regional officials reported."
    ]


def _territory(rng: random.Random) -> list[str]:
    village = rng.choice(VILLAGES)
    oblast = rng.choice(["Donetsk", "Zaporizhzhia", "Kharkiv", "Dnipropetrovsk", "Luhansk"])
    kind = rng.random()
    if kind < 0.45:
        return [
            f"Russia's defence ministry claimed on {rng.choice(WEEKDAYS)} that its forces had captured the village "
            f"of {village} in the {oblast} region.",
            "Ukraine's General Staff did not immediately comment on the claim.",
        ]
    if kind < 0.75:
        return [
            f"Ukraine's General Staff said its troops had liberated {village} in the {oblast} region after weeks of fighting."
        ]
    # hedged: no row expected
    return [
        f"The Institute for the Study of War said Russian forces would likely try to capture {village} in the "
        f"coming weeks, but it could not verify claims of an advance."
    ]


# --------------------------------------------------------------------------- filler (no event reported)
_FILLER_TEMPLATES = [
    "Foreign ministers of the European Union met in Brussels on {weekday} to discuss a new package of sanctions against Moscow.",
    "{leader} told reporters that talks on a ceasefire remained stalled, adding that any agreement must respect Ukraine's sovereignty.",
    '"We need more support, and we need it now," {leader} said in an evening address.',
    "The International Monetary Fund approved a further tranche of ${n} million in financial support for Kyiv.",
    "Energy company Ukrenergo said scheduled power outages would continue in {n} regions while repairs went on.",
    "Analysts said the country's drone production had expanded sharply over the past year as new factories opened.",
    "Officials urged residents of {city} to heed air raid alerts and to stay in shelters during the night.",
    "Grain exports through the Black Sea ports reached {n} million tonnes in {month}, the agriculture ministry said.",
    "The Kremlin declined to comment on the report when asked by journalists on {weekday}.",
    "Schools in {city} moved lessons online for the rest of the week, the city council said.",
    "Western partners have pledged additional air defence systems, including Patriot and IRIS-T batteries.",
    "{leader} thanked partners for their support and called for faster deliveries of long-range weapons.",
    "Consumer prices rose by {pct} percent compared with a year earlier, the state statistics service reported.",
    "Emergency crews worked through the night to restore water and heating to thousands of homes in {city}.",
    "The governor of the {oblast} region said the situation in frontline communities remained difficult but under control.",
    "Ukraine and its allies are preparing a conference in {month} on the reconstruction of damaged infrastructure.",
    "Parliament voted on {weekday} to extend martial law and general mobilisation for another {n} days.",
    "A humanitarian convoy carrying food, medicine and generators arrived in {city} on {weekday}.",
    "The central bank left its key interest rate unchanged at {pct} percent, citing uncertainty over the war.",
    "Railway operator Ukrzaliznytsia said trains to {city} were running with delays of up to {pct} hours.",
    "Diplomats said the talks in Istanbul focused on prisoner exchanges and the return of deported children.",
    "The United Nations monitoring mission said it was gathering information about the consequences of the strikes.",
    "Residents of {city} queued for water and bread as volunteers handed out warm clothes and blankets.",
    "The defence ministry announced a new recruitment campaign aimed at volunteers aged {age} and over.",
    "European leaders are expected to discuss the use of frozen Russian assets at a summit in {month}.",
    "Local media published photographs of damaged cars and shattered windows in a residential area of {city}.",
    "The mayor of {city} said kindergartens would reopen once shelters had been built on their premises.",
    "Military analysts said Moscow was trying to exhaust Ukraine's stocks of interceptor missiles before winter.",
    "Insurance markets have raised premiums for ships calling at Ukrainian ports, traders said on {weekday}.",
    "A spokesperson for the air force, Yurii Ihnat, said the threat of further attacks remained high.",
]


# Most filler is assembled from short slot phrases (at most four words each), so that two distinct articles
# share few word 5-grams, as distinct news stories do (mean pairwise 5-gram Jaccard about 0.02; the
# near-duplicate detection of ingest depends on that). The hand-written templates above add a couple of
# sentences per article, some of them hard negatives for the pre-filters.
_SUBJECTS = [
    "The mayor", "Local officials", "Regional authorities", "A government spokesperson", "Energy officials",
    "Aid workers", "Economists", "Diplomats", "Opposition lawmakers", "The central bank", "Railway managers",
    "Teachers' unions", "Hospital directors", "Farmers", "The finance ministry", "City engineers", "Volunteers",
    "Residents", "European ministers", "Analysts", "Church leaders", "Trade negotiators", "The grid operator",
    "Customs officials", "Students", "Business owners", "Judges", "Prosecutors", "The health ministry",
    "Shipping companies", "Insurers", "Pensioners", "Journalists", "Architects", "The rail operator",
    "Parliament's budget committee", "Donor countries", "The World Bank", "Software developers", "Miners",
]  # fmt: skip
_VERBS = [
    "discussed", "announced", "postponed", "criticised", "welcomed", "reviewed", "approved", "questioned",
    "outlined", "described", "defended", "prepared", "promised", "requested", "published", "debated",
    "rejected", "supported", "examined", "presented", "signed", "delayed", "drafted", "praised", "proposed",
    "endorsed", "funded", "paused", "resumed", "expanded",
]  # fmt: skip
_OBJECTS = [
    "a new budget", "repairs to bridges", "heating tariffs", "grain shipments", "school timetables",
    "pension reforms", "loan guarantees", "water supplies", "tax changes", "housing plans", "hospital funding",
    "fuel imports", "wage increases", "rail timetables", "export quotas", "road repairs", "power line repairs",
    "a reconstruction fund", "new shelters", "bank regulations", "a jobs programme", "rent subsidies",
    "court reforms", "a trade deal", "digital services", "veterans' benefits", "kindergarten places",
    "bus routes", "medicine deliveries", "a customs agreement", "land reform", "anti-corruption rules",
    "a bond issue", "energy savings", "apartment rebuilding", "farm credits",
]  # fmt: skip
_MODIFIERS = [
    "for next year", "in the capital", "after long talks", "despite objections", "with foreign partners",
    "before the winter", "for the third time", "at short notice", "in a late vote", "behind closed doors",
    "after a public hearing", "within a month", "by a narrow margin", "under pressure", "for small towns",
    "in several districts", "ahead of schedule", "on a trial basis", "after an audit", "with some changes",
]  # fmt: skip
_TAILS = [
    "", "", "", ", officials said", ", local media reported", ", according to a statement",
    ", the agency reported", ", a spokesperson said", ", news outlets reported", ", the ministry said",
    ", a report showed", ", sources said",
]  # fmt: skip
_EXTRAS = [
    "", "", "", " worth {n} million hryvnias", " affecting {k} thousand people", " covering {n} towns",
    " costing {n} billion euros", " involving {n} companies",
]  # fmt: skip


@lru_cache(maxsize=4)
def _filler_pool(seed: int, size: int = 100_000) -> tuple[str, ...]:
    """Filler sentences: mostly slot-assembled ones (see above), some from the hand-written templates. A function
    of its arguments alone, built once per seed (about half a second) and shared read-only."""
    rng = random.Random(f"salvo-bench-filler-{seed}")
    cities, pool = list(CITIES), []
    for k in range(size):
        if k % 12 == 0:
            t = rng.choice(_FILLER_TEMPLATES)
            pool.append(
                t.format(
                    weekday=rng.choice(WEEKDAYS), leader=rng.choice(LEADERS), n=rng.randint(2, 95),
                    city=rng.choice(cities), month=rng.choice(MONTHS), oblast=rng.choice(OBLASTS),
                    pct=rng.randint(1, 25), age=rng.randint(18, 60),
                )
            )  # fmt: skip
            continue
        where = rng.choice(["", "", f" in {rng.choice(cities)}", f" on {rng.choice(WEEKDAYS)}",
                            f" in {rng.choice(MONTHS)}"])  # fmt: skip
        extra = rng.choice(_EXTRAS).format(n=rng.randint(2, 900), k=rng.randint(2, 90))
        pool.append(
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}{extra}{where} "
            f"{rng.choice(_MODIFIERS)}{rng.choice(_TAILS)}."
        )
    return tuple(pool)


# (generator, probability an article carries it)
_EVENTS = [(_air_ru, 0.55), (_air_bombs, 0.15), (_air_ua, 0.2), (_casualties, 0.45), (_territory, 0.2)]


def _typeset(text: str) -> str:
    """Curly quotes and apostrophes, spaced em dashes: the typography of most published news. It matters for
    speed, not only looks: text with a non-ASCII character is where regex engines leave their fastest path."""
    text = re.sub(r'"(?=\w)', "\u201c", text)
    text = text.replace('"', "\u201d").replace("'", "\u2019")
    return text.replace(", adding that", " \u2014 adding that").replace(" - ", " \u2014 ")


def make_article(seed: int, i: int, pool: Sequence[str], per_day: int = ARTICLES_PER_DAY) -> dict:
    """Article number `i` of the stream for `seed` (an ARTICLES-like JSON object)."""
    rng = random.Random(seed * 1_000_003 + i)
    day = START_DATE + dt.timedelta(days=i // per_day)
    source = SOURCES[i % len(SOURCES)]
    original = i - rng.randint(1, 50)
    if rng.random() < WIRE_COPY_SHARE and original // per_day == i // per_day:
        # a wire story republished by another outlet the same day: a credit line added, the text unchanged
        # (ingest links it to the original through duplicate_of and does not extract it twice)
        copy = make_article(seed, original, pool, per_day)
        if not copy["text"].endswith("wire desk.)"):  # a copy of a copy would be a copy of the first
            return {
                **copy,
                "id": f"bench-{seed}-{i:07d}",
                "url": f"https://news.example/{day.isoformat()}/{i}",
                "source": source,
                "text": f"{copy['text']}\n(Reporting by {source} staff; editing by the wire desk.)",
            }
    events: list[str] = []
    for gen, p in _EVENTS:
        if rng.random() < p:
            events.extend(gen(rng))
    # filler paragraphs of 2-4 sentences; event sentences lead the article, as wire stories do
    paragraphs: list[str] = [" ".join(events)] if events else []
    length = len(paragraphs[0]) if events else 0
    while length < TARGET_CHARS:
        para = " ".join(rng.choice(pool) for _ in range(rng.randint(3, 6)))
        paragraphs.append(para)
        length += len(para) + 1
    text = "\n".join(paragraphs)
    title = "Overnight attacks and the day's news" if events else "The day's news"
    if SOURCES.index(source) < TYPESET_SOURCES:
        text, title = _typeset(text), _typeset(title)
    return {
        "id": f"bench-{seed}-{i:07d}",
        "url": f"https://news.example/{day.isoformat()}/{i}",
        "title": title,
        "published_at": day.isoformat(),
        "source": source,
        "text": text,
    }


def iter_articles(n: int, seed: int = 0, start: int = 0, per_day: int = ARTICLES_PER_DAY) -> Iterator[dict]:
    pool = _filler_pool(seed)
    for i in range(start, start + n):
        yield make_article(seed, i, pool, per_day)


def write_articles(path: Path, articles: Iterable[dict]) -> int:
    """Write `articles` as JSON lines, streaming (one article in memory at a time, through a .part file that
    replaces `path` when complete); returns the file's bytes. Every corpus writes its files this way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        for art in articles:
            fh.write(json.dumps(art, ensure_ascii=False))
            fh.write("\n")
    tmp.replace(path)
    return path.stat().st_size


def write_jsonl(path: Path, n: int, seed: int = 0, per_day: int = ARTICLES_PER_DAY, start: int = 0) -> int:
    """Write articles `start`..`start + n - 1` as JSON lines; returns the file's bytes."""
    return write_articles(path, iter_articles(n, seed, start=start, per_day=per_day))


def copy_prefix(src: Path, dst: Path, n: int) -> int:
    """The first `n` lines of `src` into `dst` (a smaller size cut from a larger file); returns bytes."""
    tmp = dst.with_name(dst.name + ".part")
    with src.open("rb") as fin, tmp.open("wb") as fout:
        for k, line in enumerate(fin):
            if k >= n:
                break
            fout.write(line)
        else:
            if k + 1 < n:  # pragma: no cover - the source is always the larger file
                raise ValueError(f"{src} has fewer than {n} lines")
    tmp.replace(dst)
    return dst.stat().st_size


def cached_dataset(bench_dir: Path, name: str, version: int, n: int, seed: int, write: Callable) -> Path:
    """The file `<name>_v<version>_s<seed>_n<n>.jsonl` under `bench_dir`: as cached, else cut from a larger
    cached file of the same corpus (article i depends only on (seed, i)), else written by `write(path, n, seed)`."""
    path = bench_dir / f"{name}_v{version}_s{seed}_n{n}.jsonl"
    if path.exists():
        return path
    larger = sorted(
        bench_dir.glob(f"{name}_v{version}_s{seed}_n*.jsonl"), key=lambda p: int(p.stem.rsplit("_n", 1)[1])
    )
    for cand in larger:
        if int(cand.stem.rsplit("_n", 1)[1]) > n:
            copy_prefix(cand, path, n)
            return path
    write(path, n, seed)
    return path


def dataset_path(bench_dir: Path, n: int, seed: int) -> Path:
    return bench_dir / f"articles_v{GENERATOR_VERSION}_s{seed}_n{n}.jsonl"


def ensure_dataset(bench_dir: Path, n: int, seed: int) -> Path:
    """The JSONL file of `n` articles for `seed`, generated (or cut from a larger cached one) if absent."""
    return cached_dataset(bench_dir, "articles", GENERATOR_VERSION, n, seed, write_jsonl)
