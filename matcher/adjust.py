"""Per-call adjustments of one profile's scores: eligibility, exclusions, preferences and feedback."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.eligibility import assess, signals
from matcher.index import CallIndex
from matcher.model import CallId
from matcher.profiles import Profile

#: factor for a call containing one of the profile's ``exclude`` terms
EXCLUDED = 0.25
#: factor for a favoured funder or programme
FAVOURED = 1.15
RELEVANT, NOT_RELEVANT = "relevant", "not_relevant"
Feedback = Mapping[CallId, str]


def _matches(needle: str, haystack: str) -> bool:
    return bool(needle) and needle.casefold() in haystack.casefold()


def _eligibility(index: CallIndex, applicant: str) -> tuple[np.ndarray, list[str]]:
    """Eligibility factor and reason of every call for one kind of applicant, computed once per index."""
    key = ("eligibility", applicant)
    if key not in index.cache:
        factors = np.ones(len(index), dtype=np.float32)
        reasons = [""] * len(index)
        if index.method.eligibility:
            if "signals" not in index.cache:
                index.cache["signals"] = [
                    signals(call, found) for call, found in zip(index.calls, index.area_words, strict=True)
                ]
            for position, (call, read) in enumerate(zip(index.calls, index.cache["signals"], strict=True)):
                verdict = assess(call, applicant, read)
                if verdict.factor < 1:
                    factors[position], reasons[position] = verdict.factor, verdict.reason
        index.cache[key] = (factors, reasons)
    return index.cache[key]


def _named(index: CallIndex, field_name: str, names: Sequence[str]) -> dict[int, str]:
    """call position -> the first of ``names`` found (case-insensitively) in the call's field."""
    codes, values = index.column(field_name)
    hits_by_code: dict[int, str] = {}
    for code, value in enumerate(values):
        found = next((n for n in names if _matches(n, value)), None)
        if found:
            hits_by_code[code] = found
    if not hits_by_code:
        return {}
    positions = np.flatnonzero(np.isin(codes, list(hits_by_code)))
    return {int(p): hits_by_code[int(codes[p])] for p in positions}


@dataclass
class Adjustments:
    """Per call (by position in the index): score factor, dropped (never returned), kept (marked
    relevant), and what the reasons need: eligibility reason, exclude term, favoured name."""

    factors: np.ndarray
    dropped: np.ndarray
    kept: np.ndarray
    eligibility: list[str]
    excluded: dict[int, str]
    favoured: dict[int, str]
    relevant: set[int]

    def reasons(self, position: int) -> list[str]:
        out = []
        if self.eligibility[position]:
            out.append(self.eligibility[position])
        if position in self.excluded:
            out.append(f"Nedprioriterad: innehåller ”{self.excluded[position]}”")
        if position in self.favoured:
            out.append(f"Prioriterad finansiär eller program: {self.favoured[position]}")
        if position in self.relevant:
            out.append("Markerad som relevant")
        return out


def adjustments(
    index: CallIndex, profile: Profile, feedback: Feedback | None, statuses: Collection[str] | None
) -> Adjustments:
    n = len(index)
    eligibility, eligibility_reasons = _eligibility(index, profile.applicant or "kommun")
    factors = eligibility.copy()
    dropped = np.zeros(n, dtype=bool)
    if statuses is not None:
        codes, values = index.column("status")
        dropped |= ~np.isin(codes, [i for i, v in enumerate(values) if v in statuses])
    for field_name, names in (("funder", profile.ignore_funders), ("programme", profile.ignore_programmes)):
        for position in _named(index, field_name, names):
            dropped[position] = True
    if profile.ignore_sources:
        codes, values = index.column("source")
        dropped |= np.isin(codes, [i for i, v in enumerate(values) if v in profile.ignore_sources])
    excluded: dict[int, str] = {}
    for term in profile.exclude:
        for position in index.containing(term):
            excluded.setdefault(position, term)
    if excluded:
        factors[list(excluded)] *= EXCLUDED
    favoured = _named(index, "funder", profile.favour_funders)
    for position, name in _named(index, "programme", profile.favour_programmes).items():
        favoured.setdefault(position, name)
    if favoured:
        factors[list(favoured)] *= FAVOURED
    relevant: set[int] = set()
    kept = np.zeros(n, dtype=bool)
    for call_id, verdict in (feedback or {}).items():
        position = index.position.get(call_id)
        if position is None:
            continue
        if verdict == NOT_RELEVANT:
            dropped[position] = True
        elif verdict == RELEVANT and not dropped[position]:
            relevant.add(position)
            kept[position] = True
    return Adjustments(factors, dropped, kept, eligibility_reasons, excluded, favoured, relevant)
