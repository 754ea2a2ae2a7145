"""Agenda 2030 tags: the Sustainable Development Goals (1–17) a call serves, and whether it is aimed at children
and young people, each with the terms that triggered it. Pure: a call-like object in, tags out.

The method is a curated term list (``strategy/sdg_terms.toml``, read by :func:`load_sdg_terms`): see that
file's header for the rule, and ``strategy.terms`` for how inflections and compounds are matched.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from matcher.text import normalise_language
from strategy.terms import Hit, Term, TermMatcher
from strategy.tomlfile import Problems, read_toml

SDG_TERMS = Path(__file__).resolve().parent / "sdg_terms.toml"
CHILD_YOUTH = "barn_unga"
#: fields searched, in order; hits in the first two count for the child/youth tag on their own
FIELDS = ("title", "summary", "description", "programme")
_EXPLICIT = re.compile(
    r"\bsdg\s*#?\s*(\d{1,2})\b"
    r"|\bsustainable development goals?\s*(?:no\.?\s*)?(\d{1,2})\b"
    r"|\bglobala\s+mål(?:et)?\s*(?:nr\.?\s*)?(\d{1,2})\b"
    r"|\bhållbarhetsmål(?:et)?\s*(?:nr\.?\s*)?(\d{1,2})\b"
    r"|\bmål\s+(\d{1,2})\s+i\s+agenda\s*2030\b"
)


@dataclass(frozen=True)
class Goal:
    number: int
    name: str


@dataclass(frozen=True)
class SdgTerms:
    goals: tuple[Goal, ...]
    terms: tuple[Term, ...]
    exclude: tuple[str, ...]
    min_weight: int
    child_min_terms: int
    #: a short hash of the file: tags are recomputed when the list changes
    version: str

    def goal_name(self, number: int) -> str:
        return next((g.name for g in self.goals if g.number == number), str(number))


@dataclass(frozen=True)
class Tags:
    """A call's tags: goal number -> the terms that triggered it ("word" or "word (term)"), and the child/youth
    terms (empty when not tagged)."""

    goals: Mapping[int, tuple[str, ...]]
    child_youth: tuple[str, ...] = ()

    def as_rows(self) -> dict[str, list[str]]:
        """tag name -> terms, the form the store keeps: "sdg6", ..., and "barn_unga"."""
        rows = {f"sdg{number}": list(terms) for number, terms in sorted(self.goals.items())}
        if self.child_youth:
            rows[CHILD_YOUTH] = list(self.child_youth)
        return rows


def _term_list(value: Any, problems: Problems, table: str, index: int | None, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(table, index, key, f"must be a list of texts, got {value!r}")
        return []
    return [v.strip().casefold() for v in value]


def _whole(value: Any, problems: Problems, table: str, key: str, default: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        problems.add(table, None, key, f"must be a whole number of at least 1, got {value!r}")
        return default
    return value


@lru_cache(maxsize=4)
def load_sdg_terms(path: str | Path = SDG_TERMS) -> SdgTerms:
    """Read the term list; raises ConfigError naming the file, line and field."""
    path = Path(path)
    data, text = read_toml(path)
    problems = Problems(str(path), text)
    goals: list[Goal] = []
    terms: list[Term] = []
    seen: set[int] = set()
    for index, item in enumerate(data.get("goals", [])):
        number = item.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 17 or number in seen:
            problems.add("goals", index, "number", f"must be a goal number 1–17, used once, got {number!r}")
            continue
        seen.add(number)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.add("goals", index, "name", "is required")
        goals.append(Goal(number, str(name or number)))
        for key, lang, weight in (("sv", "sv", 1), ("en", "en", 1), ("sv_strong", "sv", 2), ("en_strong", "en", 2)):
            for term in _term_list(item.get(key), problems, "goals", index, key):
                terms.append(Term(term, lang, f"sdg{number}", weight))
        unknown = set(item) - {"number", "name", "sv", "en", "sv_strong", "en_strong"}
        for key in sorted(unknown):
            problems.add("goals", index, key, "unknown key; allowed: en, en_strong, name, number, sv, sv_strong")
    if len(goals) != 17 and not problems.items:
        problems.add("goals", None, "number", f"all 17 goals are needed, found {sorted(seen)}")
    child = data.get("child_youth", {})
    for key, lang in (("sv", "sv"), ("en", "en")):
        terms.extend(Term(t, lang, CHILD_YOUTH) for t in _term_list(child.get(key), problems, "child_youth", None, key))
    exclude = tuple(_term_list(child.get("exclude"), problems, "child_youth", None, "exclude"))
    min_weight = _whole(data.get("min_weight"), problems, "", "min_weight", 2)
    child_min = _whole(child.get("min_terms"), problems, "child_youth", "min_terms", 2)
    problems.raise_if_any()
    version = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return SdgTerms(tuple(sorted(goals, key=lambda g: g.number)), tuple(terms), exclude, min_weight, child_min, version)


def fingerprint(content_hash: str, version: str) -> str:
    """What a call's tags depend on: its content and the term list (tags are recomputed when either changes)."""
    return hashlib.sha256(f"{content_hash}:{version}".encode()).hexdigest()[:32]


def _shown(hit: Hit) -> str:
    return hit.word if hit.word == hit.term.text else f"{hit.word} ({hit.term.text})"


def _keep(hits: dict[str, Hit], hit: Hit) -> None:
    """One hit per distinct word of the text (a word matching several terms counts once, at its best weight)."""
    known = hits.get(hit.word)
    if known is None or hit.term.weight > known.term.weight:
        hits[hit.word] = hit if known is None or known.where == hit.where else Hit(hit.term, hit.word, known.where)


def _per_term(by_word: dict[str, Hit]) -> list[Hit]:
    """The first hit of each distinct term (a term found in several words counts once)."""
    out: dict[str, Hit] = {}
    for hit in by_word.values():
        out.setdefault(hit.term.text, hit)
    return list(out.values())


class Tagger:
    """Tags calls with SDGs and the child/youth focus. Build once (it caches word results) and reuse."""

    def __init__(self, terms: SdgTerms | None = None) -> None:
        self.terms = terms or load_sdg_terms()
        child = [t for t in self.terms.terms if t.tag == CHILD_YOUTH]
        goals = [t for t in self.terms.terms if t.tag != CHILD_YOUTH]
        self._goals = TermMatcher(goals)
        self._child = TermMatcher(child, exclude=self.terms.exclude)

    @property
    def version(self) -> str:
        return self.terms.version

    def tag(self, call: Any) -> Tags:
        get = call.get if isinstance(call, dict) else lambda name, default="": getattr(call, name, default)
        fields = [(name, str(get(name, "") or "")) for name in FIELDS]
        text = " ".join(value for _, value in fields)
        lang = normalise_language(str(get("language", "") or ""), text)
        goals: dict[int, tuple[str, ...]] = {}
        by_goal: dict[str, dict[str, Hit]] = {}
        for hit in self._goals.find(fields, lang):
            _keep(by_goal.setdefault(hit.term.tag, {}), hit)
        for tag, by_word in by_goal.items():
            hits = _per_term(by_word)
            if sum(h.term.weight for h in hits) >= self.terms.min_weight:
                goals[int(tag[3:])] = tuple(_shown(h) for h in hits)
        lowered = text.casefold()
        for match in _EXPLICIT.finditer(lowered):
            number = int(next(g for g in match.groups() if g))
            if 1 <= number <= 17:
                goals[number] = (*goals.get(number, ()), match.group(0))
        child_hits: dict[str, Hit] = {}
        for hit in self._child.find(fields, lang):
            _keep(child_hits, hit)
        prominent = any(h.where in ("title", "summary") for h in child_hits.values())
        found = _per_term(child_hits)
        child = (
            tuple(_shown(h) for h in found) if found and (prominent or len(found) >= self.terms.child_min_terms) else ()
        )
        return Tags(dict(sorted(goals.items())), child)
