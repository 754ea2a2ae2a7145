"""Which Swedish regions a call is for, and whether that leaves out Kalmar län. Pure.

A regional call names its area: a county ("Stockholms län", "Region Skåne"), or one of the eight regional
programme areas of the EU's regional and social funds ("Småland och öarna", "Östra Mellansverige", ...).
Such names are only taken where they limit the call, not wherever a town is mentioned: in the title,
programme or funder; on a line labelled "Region:", "Län:", "Geografiskt område:", ...; in the "who may
apply" text; and after wording such as "endast för företag i", "verksamma i", "programområde".

A call whose regions leave out :data:`HOME` (and every programme area containing it) is out of region;
one that says it is national ("hela landet", "nationell utlysning") never is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: county (län) -> the name stems funders write it with
COUNTIES: dict[str, str] = {
    "Stockholms län": r"stockholms?(?:\s+läns?)?|region\s+stockholm|stockholmsregionen",
    "Uppsala län": r"uppsala(?:\s+läns?)?|region\s+uppsala",
    "Södermanlands län": r"södermanlands?(?:\s+läns?)?|sörmlands?|region\s+sörmland",
    "Östergötlands län": r"östergötlands?(?:\s+läns?)?|region\s+östergötland",
    "Jönköpings län": r"jönköpings?(?:\s+läns?)?|region\s+jönköpings\s+län",
    "Kronobergs län": r"kronobergs?(?:\s+läns?)?|region\s+kronoberg",
    "Kalmar län": r"kalmar(?:\s+läns?)?|region\s+kalmar(?:\s+län)?",
    "Gotlands län": r"gotlands?(?:\s+läns?)?|region\s+gotland",
    "Blekinge län": r"blekinges?(?:\s+läns?)?|region\s+blekinge",
    "Skåne län": r"skånes?(?:\s+läns?)?|region\s+skåne",
    "Hallands län": r"hallands?(?:\s+läns?)?|region\s+halland",
    "Västra Götalands län": r"västra\s+götalands?(?:\s+läns?)?|västra\s+götalandsregionen|vgr",
    "Värmlands län": r"värmlands?(?:\s+läns?)?|region\s+värmland",
    "Örebro län": r"örebro(?:\s+läns?)?|region\s+örebro\s+län",
    "Västmanlands län": r"västmanlands?(?:\s+läns?)?|region\s+västmanland",
    "Dalarnas län": r"dalarnas?(?:\s+läns?)?|region\s+dalarna",
    "Gävleborgs län": r"gävleborgs?(?:\s+läns?)?|region\s+gävleborg",
    "Västernorrlands län": r"västernorrlands?(?:\s+läns?)?|region\s+västernorrland",
    "Jämtlands län": r"jämtlands?(?:\s+härjedalens?)?(?:\s+läns?)?|region\s+jämtland\s+härjedalen",
    "Västerbottens län": r"västerbottens?(?:\s+läns?)?|region\s+västerbotten",
    "Norrbottens län": r"norrbottens?(?:\s+läns?)?|region\s+norrbotten",
}
#: the regional programme areas of the EU's regional and social funds (2021–2027) -> their counties
AREAS: dict[str, tuple[str, ...]] = {
    "Övre Norrland": ("Norrbottens län", "Västerbottens län"),
    "Mellersta Norrland": ("Jämtlands län", "Västernorrlands län"),
    "Norra Mellansverige": ("Gävleborgs län", "Dalarnas län", "Värmlands län"),
    "Östra Mellansverige": (
        "Uppsala län",
        "Södermanlands län",
        "Östergötlands län",
        "Örebro län",
        "Västmanlands län",
    ),
    "Västsverige": ("Västra Götalands län", "Hallands län"),
    "Småland och öarna": ("Jönköpings län", "Kronobergs län", "Kalmar län", "Gotlands län"),
    "Sydsverige": ("Skåne län", "Blekinge län"),
}
_AREA_PATTERNS = {
    "Övre Norrland": r"övre\s+norrland",
    "Mellersta Norrland": r"mellersta\s+norrland",
    "Norra Mellansverige": r"norra\s+mellansverige",
    "Östra Mellansverige": r"östra\s+mellansverige",
    "Västsverige": r"västsverige",
    "Småland och öarna": r"småland\s+(?:och|&)\s+öarna",
    "Sydsverige": r"sydsverige",
}
HOME = "Kalmar län"

_NAMES = {**_AREA_PATTERNS, **COUNTIES}  # areas first: "Småland och öarna" before its counties
#: one pass over a text finds every name; each hit is then told apart by the pattern it fully matches
_NAME_RE = re.compile(
    "(?<![^\\W\\d_])(?:" + "|".join(f"(?:{p})" for p in _NAMES.values()) + ")(?![^\\W\\d_])", re.IGNORECASE
)
_EACH = [(name, re.compile(pattern, re.IGNORECASE)) for name, pattern in _NAMES.items()]


def _canonical(found: str) -> str:
    return next((name for name, pattern in _EACH if pattern.fullmatch(found)), found)


_LABEL_LINE_RE = re.compile(
    r"(?im)^[ \t\-–•*]*(?:region(?:er)?|län|geografiskt\s+område|geografisk\s+avgränsning|geografi|område"
    r"|programområde|gäller\s+(?:för|i)|region(?:er)?\s+som\s+(?:kan\s+söka|omfattas)|eligible\s+regions?"
    r"|programme\s+area|geographical\s+(?:scope|area|coverage)|region\(s\))\s*[:?]?[ \t]*(?P<rest>[^\n]*)"
)
_LIMITING_BEFORE = re.compile(
    r"(?:\b(?:endast|enbart|bara|only|exclusively|uteslutande)\b[^.!?\n]{0,50}"
    r"|\b(?:verksam\w*|belägn\w*|lokaliserad\w*|etablerad\w*|baserad\w*|located|based|active|registered)\s+"
    r"(?:\w+\s+){0,2}"
    r"|\bprogramområde\w*\s+|\b(?:regionalfonds|eruf|erdf|esf)\w*[- ]?program\w*\s+(?:för\s+)?"
    r"|\b(?:utlysning\w*|call)\s+(?:för|i|inom|in|for)\s+(?:\w+\s+){0,1})"
    r"(?:\b(?:i|in|inom|within|för|for)\s+)?(?:hela\s+)?$",
    re.IGNORECASE,
)
#: in a "who may apply" text, a region after "i"/"inom" says where applicants must be
_LOCATED_BEFORE = re.compile(r"\b(?:i|inom|in|within|från|from)\s+(?:hela\s+)?(?:\w+\s+)?$", re.IGNORECASE)
#: an Interreg programme's name after "Interreg" (and its strand or period: "VI-A", "NEXT", "2021-2027")
_INTERREG_RE = re.compile(
    r"\binterreg\b(?:\s+(?:vi-?[abcd]|v-?[abc]|next|ipa(?:\s+cbc)?|\d{4}\s*-\s*\d{4}))*\s+(?P<name>[^\n]{2,80})",
    re.IGNORECASE,
)
#: Interreg programmes whose area includes Kalmar län (cross-border South Baltic, transnational Baltic Sea
#: Region, interregional Europe; Central Baltic as KLK applies to it with partners there)
_INTERREG_HOME_RE = re.compile(r"(?:south\s+baltic|baltic\s+sea(?:\s+region)?|central\s+baltic|europe)\b", re.I)
_LIST_JOIN = re.compile(r"\s*(?:,|och|eller|samt|and|or|&|,\s*(?:och|and))\s*", re.IGNORECASE)
_NATIONAL_RE = re.compile(
    r"hela\s+(?:landet|sverige)|nationell\w*\s+utlysning|riksomfattande|alla\s+(?:län|regioner)\s+i\s+sverige"
    r"|oavsett\s+var\s+i\s+landet|nationwide|national\s+call|all\s+(?:of\s+)?sweden",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RegionInfo:
    #: counties and programme areas the call is for, in the order found
    regions: list[str] = field(default_factory=list)
    national: bool = False
    #: True: only for regions that leave out HOME; False: includes HOME or national; None: not said
    out_of_region: bool | None = None


def _names(text: str) -> list[tuple[int, str]]:
    return [(m.start(), _canonical(m.group(0))) for m in _NAME_RE.finditer(text or "")]


def names_in(text: str) -> list[str]:
    """Every region named anywhere in ``text`` (for titles, programmes and labelled lines)."""
    return list(dict.fromkeys(name for _, name in _names(text)))


def limited_in(text: str) -> list[str]:
    """Regions that ``text`` (prose) limits the call to: on labelled lines and after limiting wording."""
    found: list[str] = []
    for m in _LABEL_LINE_RE.finditer(text or ""):
        rest = m.group("rest")
        if not rest.strip():  # a heading alone: its region is in the next paragraph
            rest = (text[m.end() :].lstrip("\n").split("\n\n", 1) or [""])[0]
        found += names_in(rest)
    last_end = -1
    for m in _NAME_RE.finditer(text or ""):
        name = _canonical(m.group(0))
        before = re.split(r"[.!?\n]", text[max(0, m.start() - 90) : m.start()])[-1]
        listed = last_end >= 0 and _LIST_JOIN.fullmatch(text[last_end : m.start()])
        if listed or _LIMITING_BEFORE.search(before):
            found.append(name)
            last_end = m.end()
    return list(dict.fromkeys(found))


def home_areas(home: str = HOME) -> set[str]:
    """``home`` and every programme area that contains it."""
    return {home, *(area for area, counties in AREAS.items() if home in counties)}


def interreg_programme(programme: str) -> tuple[str, bool] | None:
    """``(name, open to Kalmar län)`` of the Interreg programme a programme or funder name holds, else None."""
    m = _INTERREG_RE.search(programme or "")
    if m is None:
        return None
    name = re.split(r"\s+[-–—:|]\s+|[,(]", m.group("name"))[0].strip()
    if not name:
        return None
    return f"Interreg {name}", bool(_INTERREG_HOME_RE.match(name))


def find_regions(headline: str, prose: str, eligibility: str = "", home: str = HOME, programme: str = "") -> RegionInfo:
    """Regions from a call's title/programme/funder (``headline``), its text and its "who may apply" text.

    ``programme`` (programme and funder names): an Interreg programme whose area leaves out Kalmar län
    (``Interreg Czechia-Poland``) makes the call out of region; one that covers it (South Baltic, Baltic Sea
    Region, Central Baltic, Europe) keeps it in. Only for the default home, Kalmar län."""
    interreg = interreg_programme(programme) if home == HOME else None
    if interreg is not None:
        return RegionInfo([interreg[0]], False, not interreg[1])
    located = [name for start, name in _names(eligibility) if _LOCATED_BEFORE.search(eligibility[:start])]
    regions = list(dict.fromkeys([*names_in(headline), *located, *limited_in(eligibility), *limited_in(prose)]))
    national = bool(_NATIONAL_RE.search(f"{headline}\n{eligibility}\n{prose}"))
    if not regions:
        return RegionInfo([], national, False if national else None)
    out = not national and not (set(regions) & home_areas(home))
    return RegionInfo(regions, national, out)
