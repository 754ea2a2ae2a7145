"""Can the profile's organisation apply? Demotes calls for other applicants or other programme areas.

Three signals, each giving a factor below 1 and a Swedish reason:

- the call's ``applicant_types`` name no kind of organisation the profile is (a municipality, or for a
  municipal company also a company);
- the call's title or summary shows it is for individual researchers (fellowships, PhD positions) or,
  for a municipality, for start-ups only;
- the call names a programme area or region that excludes Kalmar län (``regions.txt``) and no home name.

Demoted calls stay in the ranking, lower down, with the reason shown: the signals are heuristics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matcher.model import CallText

HERE = Path(__file__).resolve().parent

#: factor for a call the organisation cannot apply for
NOT_ELIGIBLE = 0.4
#: factor for a call in another programme area
ELSEWHERE = 0.3

_PATTERNS: dict[str, str] = {
    "municipal": (
        r"kommun|municipal|local (?:public )?(?:authorit|administration|government|school)|public bod|"
        r"public authorit|public entit|public administration|public sector|offentlig|urban authorit|"
        r"\bcit(?:y|ies)\b|\btowns?\b|huvudman|school authorit|public (?:and|or) private|all legal entities|"
        r"alla organisationer|legal entities"
    ),
    "company": (
        r"företag|bolag|compan|\bsmes?\b|start-?ups?|enterprise|business|private|utilit|operat|stadsnät|"
        r"fastighetsägare|byggherre|industry|destinationsorganisation"
    ),
    "research": (r"forskare|research|universit|högskol|higher education|academ|institut|researchers|scientist"),
}
_KINDS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in _PATTERNS.items()}
_WORD = re.compile(r"\w+")

#: call text that shows it is meant for individual researchers
_RESEARCHER = re.compile(
    r"\b(?:post-?doc\w*|postdoktor\w*|fellowships?|doktorand\w*|ph\.?d\.?|doctoral|forskarskol\w*|"
    r"early-career (?:scientists|researchers)|principal investigators?|marie skłodowska-curie|msca|"
    r"erc (?:starting|consolidator|advanced)|arbetsstipendi\w*|forskarprojekt)\b",
    re.IGNORECASE,
)
#: call text that shows it is meant for young companies only
_STARTUP = re.compile(r"\b(?:start-?ups?|spin-?outs?|unga, små företag|nystartade företag)\b", re.IGNORECASE)
#: fragments one of which every match of the two patterns above contains (a cheap test first)
_HINTS = (
    "post",
    "fellow",
    "doktor",
    "ph",
    "doctor",
    "forskar",
    "career",
    "investigator",
    "curie",
    "msca",
    "erc",
    "stipendi",
    "start",
    "spin",
    "små företag",
)


@dataclass(frozen=True)
class Eligibility:
    factor: float = 1.0
    reason: str = ""


@dataclass(frozen=True)
class Signals:
    """What a call's text says about who it is for (the same for every profile)."""

    researchers: bool = False
    startups: bool = False
    #: the other programme area named, when the call names no home area
    elsewhere: str = ""


@dataclass(frozen=True)
class _Areas:
    """Region names as word tuples, indexed by their longest word for a fast test on a set of words."""

    home: tuple[tuple[str, ...], ...]
    elsewhere: tuple[tuple[str, ...], ...]
    #: lower-case name -> as written in regions.txt
    display: dict[str, str]
    #: longest word of a name -> (order in the file, name, home?) for every name
    by_word: dict[str, tuple[tuple[int, tuple[str, ...], bool], ...]]

    def find(self, home: bool, vocabulary: frozenset[str] | set[str], text: str, call: CallText) -> str:
        """The first name (in file order) of the section whose words all occur; a name of several
        words must occur as a phrase."""
        candidates = sorted(entry for word in vocabulary for entry in self.by_word.get(word, ()) if entry[2] == home)
        for _, name, _ in candidates:
            if not all(w in vocabulary for w in name):
                continue
            if len(name) == 1:
                return name[0]
            text = text or f"{call.title}\n{call.summary}\n{call.description}\n{call.programme}".lower()
            if re.search(r"(?<!\w)" + r"\W+".join(map(re.escape, name)) + r"(?!\w)", text):
                return " ".join(name)
        return ""


@lru_cache(maxsize=1)
def _areas() -> _Areas:
    sections: dict[str, list[str]] = {}
    current = ""
    display: dict[str, str] = {}
    for line in (HERE / "regions.txt").read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("[") and text.endswith("]"):
            current = text[1:-1]
            continue
        sections.setdefault(current, []).append(text)
        display[" ".join(_WORD.findall(text.lower()))] = text

    def names(section: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(_WORD.findall(n.lower())) for n in sections.get(section, []))

    home, elsewhere = names("home"), names("elsewhere")
    by_word: dict[str, list[tuple[int, tuple[str, ...], bool]]] = {}
    for order, (name, is_home) in enumerate([(n, True) for n in home] + [(n, False) for n in elsewhere]):
        by_word.setdefault(max(name, key=len), []).append((order, name, is_home))
    return _Areas(home, elsewhere, display, {w: tuple(v) for w, v in by_word.items()})


@lru_cache(maxsize=10_000)
def applicant_kinds(applicant_types: tuple[str, ...]) -> frozenset[str]:
    """Which kinds of organisation (municipal, company, research, other) the applicant types name."""
    kinds = set()
    for text in applicant_types:
        found = {name for name, pattern in _KINDS.items() if pattern.search(text)}
        kinds |= found or {"other"}
    return frozenset(kinds)


def area_vocabulary() -> frozenset[str]:
    """Every word of every programme-area name (the index notes which of them each call contains)."""
    areas = _areas()
    return frozenset(w for name in areas.home + areas.elsewhere for w in name)


def signals(call: CallText, vocabulary: frozenset[str] | set[str] | None = None) -> Signals:
    """Read the call's text: researchers, start-ups, another programme area.

    ``vocabulary``: the call's words that occur in programme-area names, when already known (the
    index notes them while counting); otherwise the text is read here.
    """
    head = f"{call.title}\n{call.summary}"
    areas = _areas()
    text = ""
    if vocabulary is None:
        text = f"{head}\n{call.description}\n{call.programme}".lower()
        vocabulary = set(_WORD.findall(text))
    other = areas.find(False, vocabulary, text, call)
    lowered = head.lower()
    hinted = any(hint in lowered for hint in _HINTS)
    return Signals(
        researchers=hinted and bool(_RESEARCHER.search(head)),
        startups=hinted and bool(_STARTUP.search(head)),
        elsewhere=other if other and not areas.find(True, vocabulary, text, call) else "",
    )


def assess(call: CallText, applicant: str = "kommun", read: Signals | None = None) -> Eligibility:
    """How much to demote ``call`` for an organisation of kind ``applicant`` (``kommun`` or ``bolag``).

    ``read`` is the call's :func:`signals` when already computed.
    """
    allowed = {"municipal"} if applicant == "kommun" else {"municipal", "company"}
    if call.applicant_types:
        kinds = applicant_kinds(tuple(call.applicant_types))
        if not kinds & allowed:
            who = ", ".join(call.applicant_types[:3])
            return Eligibility(NOT_ELIGIBLE, f"Nedprioriterad: kan sökas av {who}")
    read = read or signals(call)
    if read.researchers:
        return Eligibility(NOT_ELIGIBLE, "Nedprioriterad: riktar sig till forskare")
    if applicant == "kommun" and read.startups:
        return Eligibility(NOT_ELIGIBLE, "Nedprioriterad: riktar sig till nystartade företag")
    if read.elsewhere:
        return Eligibility(ELSEWHERE, f"Nedprioriterad: gäller ett annat programområde ({_display(read.elsewhere)})")
    return Eligibility()


def _display(name: str) -> str:
    """A region as written in regions.txt."""
    return _areas().display.get(name, name)
