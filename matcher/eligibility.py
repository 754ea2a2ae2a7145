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

#: call text that shows it is meant for individual researchers
_RESEARCHER = re.compile(
    r"\b(?:post-?doc\w*|postdoktor\w*|fellowships?|doktorand\w*|ph\.?d\.?|doctoral|forskarskol\w*|"
    r"early-career (?:scientists|researchers)|principal investigators?|marie skłodowska-curie|msca|"
    r"erc (?:starting|consolidator|advanced)|arbetsstipendi\w*|forskarprojekt)\b",
    re.IGNORECASE,
)
#: call text that shows it is meant for young companies only
_STARTUP = re.compile(r"\b(?:start-?ups?|spin-?outs?|unga, små företag|nystartade företag)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Eligibility:
    factor: float = 1.0
    reason: str = ""


@lru_cache(maxsize=1)
def _regions() -> tuple[re.Pattern[str], re.Pattern[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in (HERE / "regions.txt").read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("[") and text.endswith("]"):
            current = text[1:-1]
            continue
        sections.setdefault(current, []).append(text)

    def pattern(names: list[str]) -> re.Pattern[str]:
        alternatives = sorted((re.escape(n) for n in names), key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)

    return pattern(sections.get("home", [])), pattern(sections.get("elsewhere", []))


def applicant_kinds(applicant_types: tuple[str, ...]) -> set[str]:
    """Which kinds of organisation (municipal, company, research, other) the applicant types name."""
    kinds = set()
    for text in applicant_types:
        found = {name for name, pattern in _KINDS.items() if pattern.search(text)}
        kinds |= found or {"other"}
    return kinds


def assess(call: CallText, applicant: str = "kommun") -> Eligibility:
    """How much to demote ``call`` for an organisation of kind ``applicant`` (``kommun`` or ``bolag``)."""
    allowed = {"municipal"} if applicant == "kommun" else {"municipal", "company"}
    if call.applicant_types:
        kinds = applicant_kinds(call.applicant_types)
        if not kinds & allowed:
            who = ", ".join(call.applicant_types[:3])
            return Eligibility(NOT_ELIGIBLE, f"Nedprioriterad: kan sökas av {who}")
    head = f"{call.title}\n{call.summary}"
    if _RESEARCHER.search(head):
        return Eligibility(NOT_ELIGIBLE, "Nedprioriterad: riktar sig till forskare")
    if applicant == "kommun" and _STARTUP.search(head):
        return Eligibility(NOT_ELIGIBLE, "Nedprioriterad: riktar sig till nystartade företag")
    home, elsewhere = _regions()
    text = f"{call.title}\n{call.summary}\n{call.description[:5000]}\n{call.programme}"
    other = elsewhere.search(text)
    if other and not home.search(text):
        return Eligibility(ELSEWHERE, f"Nedprioriterad: gäller ett annat programområde ({other.group(0)})")
    return Eligibility()
