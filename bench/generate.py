"""Seeded generator of realistic calls and profiles at any scale (Swedish and English).

The same seed always gives the same data. Calls have the length and vocabulary mix of real ones:
a title, a two-sentence summary and a description of about 1.5 KB, about half in Swedish and half
in English, from a mix of EU and Swedish funders, with deadlines, budgets and applicant types.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from store.records import CallRecord

THEMES = {
    "water": (
        ["kustvatten", "övergödning", "våtmarker", "vattenvård", "dagvatten", "havsmiljö", "fiskevård"],
        [
            "coastal water",
            "eutrophication",
            "wetlands",
            "water quality",
            "stormwater",
            "marine environment",
            "fisheries",
        ],
    ),
    "climate": (
        ["klimatanpassning", "utsläpp", "klimatomställning", "översvämning", "värmebölja", "kolsänkor"],
        ["climate adaptation", "emissions", "climate transition", "flooding", "heatwave", "carbon sinks"],
    ),
    "energy": (
        ["energieffektivisering", "solenergi", "fjärrvärme", "vätgas", "laddinfrastruktur", "energilagring"],
        [
            "energy efficiency",
            "solar power",
            "district heating",
            "hydrogen",
            "charging infrastructure",
            "energy storage",
        ],
    ),
    "digital": (
        ["digitalisering", "e-tjänster", "öppna data", "artificiell intelligens", "bredband", "cybersäkerhet"],
        ["digitalisation", "e-services", "open data", "artificial intelligence", "broadband", "cybersecurity"],
    ),
    "care": (
        ["äldreomsorg", "hemtjänst", "psykisk hälsa", "välfärdsteknik", "funktionsnedsättning", "folkhälsa"],
        ["elderly care", "home care", "mental health", "welfare technology", "disability", "public health"],
    ),
    "youth": (
        ["barn och unga", "skolutveckling", "fritidsverksamhet", "ungdomsutbyte", "elevhälsa", "lärande"],
        [
            "children and young people",
            "school development",
            "leisure activities",
            "youth exchange",
            "pupil health",
            "learning",
        ],
    ),
    "culture": (
        ["kulturarv", "kulturskola", "bibliotek", "konstnärlig verksamhet", "besöksnäring", "evenemang"],
        ["cultural heritage", "arts school", "libraries", "artistic activity", "tourism", "events"],
    ),
    "labour": (
        ["arbetsmarknad", "kompetensförsörjning", "vuxenutbildning", "integration", "nyanlända", "arbetslöshet"],
        ["labour market", "skills supply", "adult education", "integration", "newly arrived migrants", "unemployment"],
    ),
    "transport": (
        [
            "kollektivtrafik",
            "cykelinfrastruktur",
            "hållbara transporter",
            "stadsmiljö",
            "godstransporter",
            "trafiksäkerhet",
        ],
        [
            "public transport",
            "cycling infrastructure",
            "sustainable transport",
            "urban environment",
            "freight",
            "road safety",
        ],
    ),
    "biodiversity": (
        ["biologisk mångfald", "naturvård", "skyddade områden", "pollinatörer", "invasiva arter", "ekosystemtjänster"],
        [
            "biodiversity",
            "nature conservation",
            "protected areas",
            "pollinators",
            "invasive species",
            "ecosystem services",
        ],
    ),
    "research": (
        [
            "forskarutbildning",
            "doktorand",
            "postdoktor",
            "grundforskning",
            "forskningsinfrastruktur",
            "vetenskaplig excellens",
        ],
        [
            "doctoral training",
            "PhD candidate",
            "postdoctoral fellowship",
            "basic research",
            "research infrastructure",
            "scientific excellence",
        ],
    ),
    "business": (
        [
            "små och medelstora företag",
            "exportfrämjande",
            "affärsutveckling",
            "innovationscheckar",
            "riskkapital",
            "produktutveckling",
        ],
        [
            "small and medium-sized enterprises",
            "export promotion",
            "business development",
            "innovation vouchers",
            "venture capital",
            "product development",
        ],
    ),
}
FUNDERS = [
    ("eu-ftp", "European Commission", "Horizon Europe", "en"),
    ("eu-ftp", "European Commission", "LIFE", "en"),
    ("euroaccess", "Interreg South Baltic", "Interreg South Baltic 2021-2027", "en"),
    ("euroaccess", "Interreg Baltic Sea Region", "Interreg BSR 2021-2027", "en"),
    ("vinnova", "Vinnova", "Hållbar industri", "sv"),
    ("tillvaxtverket", "Tillväxtverket", "Regionalfonden", "sv"),
    ("havochvatten", "Havs- och vattenmyndigheten", "Havs- och fiskeriprogrammet", "sv"),
    ("energimyndigheten", "Energimyndigheten", "Energiforskning", "sv"),
    ("formas", "Formas", "Klimat och miljö", "sv"),
    ("arvsfonden", "Allmänna arvsfonden", "Projektstöd", "sv"),
]
SV_FRAMES = [
    "Utlysningen ger stöd till projekt som arbetar med {a} och {b}.",
    "Syftet är att stärka arbetet med {a} genom samverkan mellan offentliga aktörer och civilsamhälle.",
    "Projekten ska bidra till {b} och visa hur {a} kan utvecklas i praktiken.",
    "Stödet riktar sig till insatser inom {a}, med särskilt fokus på {c}.",
    "Sökande ska beskriva hur resultaten sprids och hur {b} förbättras efter projekttiden.",
]
EN_FRAMES = [
    "This call supports projects addressing {a} and {b}.",
    "The aim is to strengthen work on {a} through cooperation between public authorities and civil society.",
    "Projects are expected to contribute to {b} and demonstrate how {a} can be improved in practice.",
    "Funding targets actions in {a}, with a particular focus on {c}.",
    "Applicants must explain how results will be disseminated and how {b} will improve after the project.",
]
APPLICANTS = [
    ["kommun", "region"],
    ["kommun", "förening"],
    ["företag"],
    ["lärosäte"],
    ["kommun", "region", "myndighet"],
]


def _text(rng: random.Random, words: list[str], frames: list[str], sentences: int) -> str:
    return " ".join(
        rng.choice(frames).format(a=rng.choice(words), b=rng.choice(words), c=rng.choice(words))
        for _ in range(sentences)
    )


def calls(n: int, seed: int = 1, start: datetime | None = None) -> Iterator[CallRecord]:
    """``n`` calls; the same seed gives the same calls."""
    rng = random.Random(seed)
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    themes = list(THEMES)
    for i in range(n):
        source, funder, programme, language = rng.choice(FUNDERS)
        if rng.random() < 0.3:
            language = "en" if language == "sv" else "sv"
        theme, other = rng.sample(themes, 2)
        sv, en = THEMES[theme]
        words = (en if language == "en" else sv) + (THEMES[other][1] if language == "en" else THEMES[other][0])[:2]
        frames = EN_FRAMES if language == "en" else SV_FRAMES
        title_word = rng.choice(en if language == "en" else sv)
        title = (f"Call for projects on {title_word}" if language == "en" else f"Utlysning: {title_word}") + f" {i}"
        opens = start + timedelta(days=rng.randint(-120, 60))
        deadlines = [opens + timedelta(days=rng.randint(30, 200))]
        if rng.random() < 0.15:
            deadlines.append(deadlines[0] + timedelta(days=rng.randint(60, 180)))
        yield CallRecord(
            source=source,
            external_id=f"GEN-{seed}-{i}",
            title=title,
            url=f"https://example.org/{source}/{i}",
            funder=funder,
            programme=programme,
            summary=_text(rng, words, frames, 2),
            description=_text(rng, words, frames, 14),
            language=language,
            status="forthcoming" if opens > start else "open",
            opens_at=opens,
            deadlines=deadlines,
            budget=f"{rng.choice([2, 5, 10, 25, 50])} {'MEUR' if language == 'en' else 'MSEK'}",
            applicant_types=list(rng.choice(APPLICANTS)),
        )


def profile_toml(index: int, seed: int = 1) -> str:
    """A Swedish profile in the profiles/*.toml format, drawing on two or three themes."""
    rng = random.Random(seed * 100_003 + index)
    chosen = rng.sample([t for t in THEMES if t not in ("research", "business")], rng.randint(2, 3))
    lines = [f'name = "Förvaltning {index}"', f'recipients = ["forvaltning{index}@kalmar.example"]', ""]
    for theme in chosen:
        sv = THEMES[theme][0]
        words = rng.sample(sv, 3)
        lines += [
            "[[priorities]]",
            f'title = "Arbete med {words[0]}"',
            f'text = "Förvaltningen prioriterar {words[0]}, {words[1]} och {words[2]} i kommunens verksamhet."',
            f"keywords = {words!r}".replace("'", '"'),
            "",
        ]
    return "\n".join(lines)
