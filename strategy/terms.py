"""Finding curated terms in a text, aware of Swedish inflection and compounds. Pure.

The stemming is the matcher's (``matcher.text``): a Swedish term matches a word whose Snowball stem is the
stem of one of the term's inflected forms ("barn" finds "barnen", "ungdom" finds "ungdomar"); an English
term matches a word with the same English stem ("child" finds "child's", "children" is its own term).
A Swedish term also matches as a part of a compound:

- as the last part (head), when at least three letters come before it: "förskolebarn" (barn),
  "grundskoleelever" (elev);
- as the first part (modifier, with a linking -s or a dropped -a/-e), when what follows is a known word or
  at least four letters long and not a derivational ending: "ungdomsverksamhet" (ungdom), "barnfamiljer" (barn).
  A term of three letters ("ung" from "unga") needs a known word after it, so "ungefär" is not "unga".

Words listed as ``exclude`` never match ("högskola" is not a school for children). Phrases (several words)
match words next to each other, each word by its stem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from matcher.text import SUFFIXES, Analyzer, stem_en, stem_sv, sv_forms, sv_keys, words

#: shortest first part of a compound matched without the rest being a known word
MIN_MODIFIER = 4
#: shortest rest of a compound after a modifier, when that rest is not a known word
MIN_REST = 4
#: shortest word before a head part
MIN_LEFT = 3


@dataclass(frozen=True)
class Term:
    """One curated term: its text, language ("sv" or "en"), the tag it belongs to and its weight."""

    text: str
    lang: str
    tag: str
    weight: int = 1


@dataclass(frozen=True)
class Hit:
    term: Term
    #: the word(s) of the text that matched, as written (lower case)
    word: str
    #: the field it was found in ("title", "summary", "description", ...)
    where: str


@lru_cache(maxsize=1)
def _analyzer() -> Analyzer:
    return Analyzer()


class TermMatcher:
    """Finds many terms in texts; build once, use for every call (word results are cached)."""

    def __init__(self, terms: Sequence[Term], exclude: Iterable[str] = ()) -> None:
        self.analyzer = _analyzer()
        self._direct_sv: dict[str, list[Term]] = {}
        self._direct_en: dict[str, list[Term]] = {}
        self._heads: dict[str, list[Term]] = {}
        self._modifiers: dict[str, list[Term]] = {}
        #: first word's stem -> (every word's stems, term), per language of the term
        self._phrases: dict[str, dict[str, list[tuple[tuple[frozenset[str], ...], Term]]]] = {"sv": {}, "en": {}}
        self._excluded_forms: set[str] = set()
        self._excluded_stems: set[str] = set()
        for word in exclude:
            self._excluded_forms.update(f for f in sv_forms(word.casefold()) | {word.casefold()} if len(f) >= 4)
            self._excluded_stems.update(sv_keys(word.casefold()))
        for term in terms:
            parts = words(term.text)
            if not parts:
                continue
            if len(parts) > 1:
                keys = tuple(frozenset(sv_keys(p)) if term.lang == "sv" else frozenset({stem_en(p)}) for p in parts)
                for first in keys[0]:
                    self._phrases[term.lang].setdefault(first, []).append((keys, term))
                continue
            word = parts[0]
            if term.lang == "en":
                self._direct_en.setdefault(stem_en(word), []).append(term)
                continue
            self.analyzer.lexicon.add(word, inflect=True)
            for key in sv_keys(word):
                self._direct_sv.setdefault(key, []).append(term)
            if len(word) >= 4:
                for form in sv_forms(word) | {word}:
                    if len(form) >= 4:
                        self._heads.setdefault(form, []).append(term)
            bases = {word}
            if len(word) >= 4 and word[-1] in "ae":
                bases.add(word[:-1])
            for base in bases:
                for modifier in (base, base + "s"):
                    if len(modifier) >= 3:
                        self._modifiers.setdefault(modifier, []).append(term)
        self._cache: dict[tuple[str, str], tuple[Term, ...]] = {}

    def _excluded(self, word: str) -> bool:
        if stem_sv(word) in self._excluded_stems:
            return True
        return any(word.endswith(form) for form in self._excluded_forms)

    def _known(self, rest: str) -> bool:
        return len(rest) >= 3 and (self.analyzer.lexicon.knows(rest) or bool(self.analyzer.split(rest)))

    def word_terms(self, word: str, lang: str) -> tuple[Term, ...]:
        """The single-word terms one (lower-case) word of a text in ``lang`` matches."""
        key = (word, lang)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        found: dict[Term, None] = {}
        for term in self._direct_en.get(stem_en(word), ()):
            found[term] = None
        if lang == "sv" and not self._excluded(word):
            for term in self._direct_sv.get(stem_sv(word), ()):
                found[term] = None
            for i in range(MIN_LEFT, len(word) - 3):
                for term in self._heads.get(word[i:], ()):
                    found[term] = None
            for i in range(3, len(word) - 2):
                terms = self._modifiers.get(word[:i])
                if not terms:
                    continue
                rest = word[i:]
                compound = (i >= MIN_MODIFIER and len(rest) >= MIN_REST and rest not in SUFFIXES) or self._known(rest)
                if compound:
                    for term in terms:
                        found[term] = None
        result = tuple(found)
        self._cache[key] = result
        return result

    def find(self, fields: Sequence[tuple[str, str]], lang: str) -> list[Hit]:
        """Every hit in the given (field name, text) pairs; Swedish terms only count in Swedish texts."""
        hits: list[Hit] = []
        languages = ("sv", "en") if lang == "sv" else ("en",)
        for where, text in fields:
            tokens = words(text or "")
            for token in tokens:
                for term in self.word_terms(token, lang):
                    hits.append(Hit(term, token, where))
            for term_lang in languages:
                phrases = self._phrases[term_lang]
                if not phrases:
                    continue
                stems = [_stem(term_lang, t) for t in tokens]
                for i, first in enumerate(stems):
                    for keys, term in phrases.get(first, ()):
                        n = len(keys)
                        if i + n <= len(stems) and all(stems[i + j] in keys[j] for j in range(1, n)):
                            hits.append(Hit(term, " ".join(tokens[i : i + n]), where))
        return hits


@lru_cache(maxsize=200_000)
def _stem(lang: str, word: str) -> str:
    return stem_sv(word) if lang == "sv" else stem_en(word)
