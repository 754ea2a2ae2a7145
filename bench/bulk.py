"""Bulk rows for scale benchmarks: a large corpus of realistic-looking calls (Swedish and English text,
compounds, Zipf word use), inserted fast. For CallRecords with themed, profile-matchable text see bench/generate.py."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from store.models import Call

SV = """vatten vård hav kust sjö våtmark klimat anpassning energi effektivisering bostad skola lärande barn unga äldre
omsorg hälsa kultur bibliotek läsning idrott fritid turism näringsliv företag innovation digitalisering data
infrastruktur transport cykel kollektivtrafik väg hamn miljö natur mångfald skog jordbruk livsmedel mat avfall
cirkulär ekonomi hållbarhet social integration inkludering jämställdhet demokrati civilsamhälle förening
forskning utveckling kompetens arbetsmarknad utbildning landsbygd stad region kommun län samverkan partnerskap
projekt stöd bidrag finansiering utlysning program åtgärd insats plan strategi förstudie pilot test demonstration
teknik lösning system tjänst service offentlig sektor förvaltning verksamhet trygghet säkerhet beredskap kris
bredband elektrifiering laddning solenergi vind vätgas biogas fjärrvärme byggnad renovering lokal anläggning
vattenrening dagvatten översvämning erosion grundvatten dricksvatten avlopp övergödning östersjön fiske
""".split()
EN = """water climate adaptation energy efficiency housing school learning children youth elderly care health culture
library sport tourism business innovation digital data infrastructure transport cycling public mobility port
environment nature biodiversity forest agriculture food waste circular economy sustainability social inclusion
equality democracy research development skills employment education rural urban region municipality cooperation
partnership project support grant funding call programme action plan strategy pilot demonstration technology
solution service sector administration security resilience broadband electrification hydrogen renovation building
flood coastal baltic fisheries resources governance citizens community heritage creative
""".split()
FUNDERS = [
    ("Vinnova", ["Hållbar samhällsbyggnad", "Hälsa", "Digitalisering", "Innovation i offentlig sektor"]),
    ("Formas", ["Hållbart samhällsbyggande", "Klimat", "Livsmedel"]),
    ("Energimyndigheten", ["Energi i bebyggelsen", "Transporter", "Förnybar energi"]),
    ("Naturvårdsverket", ["Lokala naturvårdssatsningen", "Klimatklivet"]),
    ("Havs- och vattenmyndigheten", ["LOVA", "Havsmiljöanslaget"]),
    ("Tillväxtverket", ["Regional utveckling", "ERUF"]),
    ("Trafikverket", ["Stadsmiljöavtal"]),
    ("Boverket", ["Bostadsstöd", "Stadsmiljö"]),
    ("Arvsfonden", ["Projektstöd"]),
    ("Kulturrådet", ["Regional kultur", "Läsfrämjande"]),
    (
        "European Commission",
        ["Horizon Europe", "LIFE", "Digital Europe", "Erasmus+", "CEF", "Interreg Baltic Sea Region"],
    ),
    ("Region Kalmar län", ["Regionalt utvecklingsstöd"]),
    ("Nordiska ministerrådet", ["Nordisk samarbete"]),
]
APPLICANTS = [
    ["Kommuner", "Regioner"],
    ["Företag"],
    ["Universitet"],
    ["Local authorities", "NGOs"],
    ["Public bodies"],
    ["Föreningar"],
]


_SYLLABLES = "ka la ma ri no sa te vi lo be gra stu fen dal mo ren sko tor han lin vik berg bru sjo ek al ning het skap else".split()
_FUNCTION_SV = "och i att för på med som av till är en ett det de om kan ska vid från inom under".split()
_FUNCTION_EN = "the and of to in for on with that is are be as by from at an this which".split()


def vocabulary(domain: list[str], function_words: list[str], size: int, seed: int) -> list[str]:
    """Words ranked by frequency: function words first, the domain words spread over ranks 20-3000, and
    made-up words for the long tail, as in real text where any one subject word is in a few percent of texts."""
    rng = random.Random(seed)
    tail: list[str] = []
    seen: set[str] = set(domain) | set(function_words)
    while len(tail) < size:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            tail.append(word)
    ranked = list(function_words) + tail
    for index, word in enumerate(domain):
        ranked.insert(20 + int(index * 3000 / len(domain)) + rng.randint(0, 30), word)
    return ranked


_CUMULATIVE: dict[int, list[float]] = {}


def _pick(rng: random.Random, words: list[str]) -> str:
    # Zipf's law: the word of rank r is used about 1/r as often as the most common one
    weights = _CUMULATIVE.get(id(words))
    if weights is None:
        weights = _CUMULATIVE[id(words)] = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    return words[bisect.bisect(weights, rng.random() * weights[-1])]


def _sentence(rng: random.Random, words: list[str], count: int, compounds: bool) -> str:
    out = []
    for _ in range(count):
        word = _pick(rng, words)
        if compounds and len(word) > 2 and rng.random() < 0.15:
            word += _pick(rng, words)
        out.append(word)
    return " ".join(out).capitalize()


_VOCABULARY: dict[bool, list[str]] = {}


def _words(swedish: bool) -> list[str]:
    if swedish not in _VOCABULARY:
        _VOCABULARY[swedish] = (
            vocabulary(SV, _FUNCTION_SV, 30_000, 1) if swedish else vocabulary(EN, _FUNCTION_EN, 30_000, 2)
        )
    return _VOCABULARY[swedish]


def rows(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    out = []
    for number in range(count):
        swedish = rng.random() < 0.7
        words = _words(swedish)
        funder, programmes = rng.choice(FUNDERS)
        seen = now - timedelta(days=rng.randint(0, 2000))
        deadline = seen + timedelta(days=rng.randint(20, 200))
        status = "closed" if deadline < now else ("forthcoming" if rng.random() < 0.1 else "open")
        description = " ".join(
            _sentence(rng, words, rng.randint(10, 20), swedish) + "." for _ in range(rng.randint(4, 12))
        )
        out.append(
            {
                "source": f"bench-{funder.split()[0].lower()}",
                "external_id": f"b{number}",
                "kind": rng.choice(["call"] * 8 + ["recurring", "scheme", "planned"]),
                "title": _sentence(rng, words, rng.randint(4, 10), swedish),
                "url": f"https://funder.example/calls/{number}",
                "funder": funder,
                "programme": rng.choice(programmes),
                "summary": _sentence(rng, words, rng.randint(15, 40), swedish) + ".",
                "description": description,
                "language": "sv" if swedish else "en",
                "status": status,
                "opens_at": seen,
                "deadline_at": deadline,
                "deadlines": [deadline.isoformat()],
                "budget": "",
                "applicant_types": rng.choice(APPLICANTS),
                "extra": {},
                "first_seen_at": seen,
                "last_seen_at": now,
                "updated_at": seen,
                "content_hash": hashlib.sha256(str(number).encode()).hexdigest(),
                "listed": True,
            }
        )
    return out


def fill(engine: Engine, count: int, batch: int = 5000) -> None:
    """Insert ``count`` generated calls (the search index is kept by the database's triggers/columns)."""
    for start in range(0, count, batch):
        chunk = rows(min(batch, count - start), seed=start + 1)
        for offset, row in enumerate(chunk):
            row["external_id"] = f"b{start + offset}"
        with engine.begin() as conn:
            conn.execute(insert(Call.__table__), chunk)
