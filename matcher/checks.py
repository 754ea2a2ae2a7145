"""Advice on a valid profile: what it will and will not find (shown by ``fundwatch profile check``)."""

from __future__ import annotations

from matcher.method import DEFAULT
from matcher.profiles import Profile
from matcher.resources import load_resources
from matcher.text import CONCEPT_PREFIX, Analyzer

#: a priority text shorter than this (in words) gives the matcher little to work with
SHORT_TEXT = 15


def english_equivalents(term: str, analyzer: Analyzer | None = None) -> list[str]:
    """The glossary's English terms for a Swedish term (via its concepts, also of compound parts)."""
    analyzer = analyzer or Analyzer(load_resources(), method=DEFAULT)
    glossary = analyzer.res.glossary
    out: list[str] = []
    for feature in analyzer.features(term, "sv"):
        if feature.startswith(CONCEPT_PREFIX):
            english = glossary.names(feature[len(CONCEPT_PREFIX) :])[1]
            if english not in out:
                out.append(english)
    return out


def profile_notes(profile: Profile) -> list[str]:
    """Advice lines for a profile that validates (empty when there is nothing to say)."""
    analyzer = Analyzer(load_resources(), method=DEFAULT)
    notes = []
    for priority in profile.priorities:
        words = len(priority.text.split())
        if words < SHORT_TEXT:
            notes.append(
                f"priority {priority.title!r}: the text has {words} words; a few sentences about the work "
                "find more and better calls"
            )
    missing = [k for p in profile.priorities for k in p.keywords if not english_equivalents(k, analyzer)]
    if missing:
        notes.append(
            "keywords with no English equivalent in the glossary (they find Swedish calls only, unless "
            "spelled alike in English): " + ", ".join(dict.fromkeys(missing))
        )
    return notes
