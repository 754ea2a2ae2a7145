"""The matcher's language data, shipped as text files in ``matcher/``: stop words, boilerplate, glossary.

All files are UTF-8, one entry per line, ``#`` starts a comment line. ``glossary.txt`` holds one
concept per line: Swedish terms, a ``|``, English terms (each side comma-separated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
_WORD = re.compile(r"\w+")


class GlossaryError(ValueError):
    """A glossary line that cannot be read (names the file and line)."""


def _lines(path: Path) -> list[tuple[int, str]]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if text and not text.startswith("#"):
            out.append((number, text))
    return out


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


@dataclass
class Glossary:
    """Concepts with Swedish and English terms, indexed by stem for fast lookup."""

    #: concept -> (Swedish terms, English terms)
    concepts: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    #: stem of a one-word term -> concepts
    single: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: the same, as feature names ("~eutrophication")
    single_features: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: stem of a phrase's first word -> [(stems of the whole phrase, concept)], longest first
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    #: stem of a phrase's first word -> the lengths (in words) of the phrases starting with it
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: stems of a whole phrase -> its concepts
    by_keys: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def parse(cls, lines: list[tuple[int, str]], origin: str, boilerplate: set[str]) -> Glossary:
        from matcher.text import stem_en, stem_sv, sv_keys

        glossary = cls()
        single: dict[str, list[str]] = {}
        for number, line in lines:
            left, bar, right = line.partition("|")
            sv_terms = tuple(t.strip() for t in left.split(",") if t.strip())
            en_terms = tuple(t.strip() for t in right.split(",") if t.strip())
            if not bar or not sv_terms or not en_terms or "|" in right:
                raise GlossaryError(f"{origin}, line {number}: expected 'svenska, ... | English, ...', got {line!r}")
            concept = en_terms[0].casefold()
            if concept in glossary.concepts:
                raise GlossaryError(f"{origin}, line {number}: concept {concept!r} is defined twice")
            glossary.concepts[concept] = (sv_terms, en_terms)
            for term in sv_terms + en_terms:
                tokens = _words(term)
                if not tokens:
                    raise GlossaryError(f"{origin}, line {number}: term {term!r} has no words")
                if len(tokens) == 1:
                    # a one-word term meets its likely inflections, in either language's stemming
                    # a Swedish term meets its likely inflections in Swedish texts; an English term
                    # meets English texts and, as a loanword, Swedish ones
                    word = tokens[0]
                    keys = sv_keys(word) if term in sv_terms else {stem_en(word), stem_sv(word)}
                    for key in keys:
                        if key in boilerplate:
                            continue
                        bucket = single.setdefault(key, [])
                        if concept not in bucket:
                            bucket.append(concept)
                    continue
                for stem in (stem_sv,) if term in sv_terms else (stem_en, stem_sv):
                    phrase = tuple(stem(t) for t in tokens)
                    entries = glossary.phrases.setdefault(phrase[0], [])
                    if (phrase, concept) not in entries:
                        entries.append((phrase, concept))
        glossary.single = {k: tuple(v) for k, v in single.items()}
        glossary.single_features = {k: tuple("~" + c for c in v) for k, v in single.items()}
        by_keys: dict[tuple[str, ...], list[str]] = {}
        for first, entries in glossary.phrases.items():
            entries.sort(key=lambda e: -len(e[0]))
            glossary.lengths[first] = tuple(sorted({len(keys) for keys, _ in entries}, reverse=True))
            for keys, concept in entries:
                by_keys.setdefault(keys, []).append(concept)
        glossary.by_keys = {k: tuple(v) for k, v in by_keys.items()}
        return glossary

    def names(self, concept: str) -> tuple[str, str]:
        """The first Swedish and the first English term of a concept."""
        sv, en = self.concepts[concept]
        return sv[0], en[0]

    def words(self, side: int | None = None) -> set[str]:
        """Words of the terms: of both languages, or only Swedish (``side=0``) or English (``side=1``)."""
        return {
            w
            for pair in self.concepts.values()
            for i, terms in enumerate(pair)
            if side is None or i == side
            for term in terms
            for w in _words(term)
        }


@dataclass
class Resources:
    stop: frozenset[str]
    #: function words only Swedish uses / only English uses (for language detection)
    sv_markers: frozenset[str]
    en_markers: frozenset[str]
    boilerplate_words: frozenset[str]
    #: boilerplate stemmed with both stemmers
    boilerplate_stems: frozenset[str]
    glossary: Glossary
    #: words known without any corpus (glossary and boilerplate), for splitting compounds
    base_words: frozenset[str]


def read_resources(folder: Path = HERE) -> Resources:
    from matcher.text import stem_en, stem_sv

    sv_stop = {w for _, line in _lines(folder / "stopwords_sv.txt") for w in _words(line)}
    en_stop = {w for _, line in _lines(folder / "stopwords_en.txt") for w in _words(line)}
    boiler_sv = {w for _, line in _lines(folder / "boilerplate_sv.txt") for w in _words(line)}
    boiler = boiler_sv | {w for _, line in _lines(folder / "boilerplate_en.txt") for w in _words(line)}
    boiler_stems = {stem_sv(w) for w in boiler} | {stem_en(w) for w in boiler}
    glossary_path = folder / "glossary.txt"
    glossary = Glossary.parse(_lines(glossary_path), str(glossary_path), boiler_stems)
    return Resources(
        stop=frozenset(sv_stop | en_stop),
        sv_markers=frozenset(sv_stop - en_stop),
        en_markers=frozenset(en_stop - sv_stop),
        boilerplate_words=frozenset(boiler),
        boilerplate_stems=frozenset(boiler_stems),
        glossary=glossary,
        base_words=frozenset((glossary.words(side=0) | boiler_sv) - sv_stop - en_stop),
    )


@lru_cache(maxsize=1)
def load_resources() -> Resources:
    """The shipped resources, read once per process."""
    return read_resources(HERE)
