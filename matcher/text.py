"""Text analysis: words, language, stemming, Swedish compounds and bilingual glossary concepts.

A text becomes a bag of *features*:

- word features: the stem of every word that is neither a stop word nor call boilerplate
  (Swedish or English Snowball stemmer by the text's language, plus a light Swedish clean-up);
- compound parts: a long Swedish word also yields the stems of its known parts, so that
  "kustvattenförvaltning" meets "kustvatten" and "vattenvårdsprojekt" meets "vattenvård";
- concept features (``~concept``): every glossary term found in the text, in either language, so that
  "övergödning" in a profile meets "eutrophication" in a call.

The analysis of a word is computed once and cached; a text is analysed by looking its words up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from matcher.method import DEFAULT, Method
from matcher.resources import Resources, load_resources

WORD = re.compile(r"\w+")
#: shortest part of a split compound
MIN_PART = 3
#: shortest word worth splitting
MIN_COMPOUND = 7
#: Swedish derivational endings that look like words but are never the head of a compound
#: ("partnerskap" is not partner + skap, "förändring" is not föränd + ring)
SUFFIXES = frozenset(
    "skap skaps het heten heter ning ningen ningar else dom domen ande ende ens isk iska iskt lig liga ligt"
    " ism ismen itet tion are aren arna erna orna ing ring sam samt bar bart".split()
)
CONCEPT_PREFIX = "~"
#: prefix of English word features when the method keeps the languages apart ("arts" is not "arter")
ENGLISH_TAG = "en:"


def words(text: str) -> list[str]:
    """Lower-case words in order; punctuation and spaces separate words (numbers are words that the
    analysis ignores)."""
    return WORD.findall(text.lower())


@lru_cache(maxsize=1)
def _snowball() -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
    return Stemmer.Stemmer("swedish"), Stemmer.Stemmer("english")


@lru_cache(maxsize=500_000)
def stem_sv(word: str) -> str:
    """Swedish stem: Snowball, then the definite endings it leaves ("förskolan", "projektet") removed."""
    sv, _ = _snowball()
    stem = sv.stemWord(word)
    if len(stem) >= 6 and (stem.endswith("et") or stem.endswith("an")):
        stem = sv.stemWord(stem[:-2])
    return stem


_SV_ENDINGS = ("", "n", "t", "en", "et", "er", "ar", "or", "erna", "arna", "orna", "ens", "ets", "s")
#: short words get only the unambiguous endings ("vik" must not meet "vikt")
_SV_SHORT_ENDINGS = ("", "en", "et", "er", "ar", "or", "erna", "arna", "orna")


def sv_forms(word: str) -> set[str]:
    """Likely inflected forms of a Swedish base form (skola: skolan, skolor; vatten: vattnet; cykel: cyklar)."""
    bases = {word}
    if len(word) >= 4 and word[-1] in "ae":
        bases.add(word[:-1])
    if len(word) >= 5 and word[-2:] in ("en", "el", "er") and word[-3] not in "aeiouyåäö":
        bases.add(word[:-2] + word[-1])
    endings = _SV_ENDINGS if len(word) >= 5 else _SV_SHORT_ENDINGS
    return {base + ending for base in bases for ending in endings}


def sv_keys(word: str) -> set[str]:
    """The stems of a Swedish word's likely forms: what it may look like after stemming a text."""
    return {stem_sv(form) for form in sv_forms(word)}


def stem_en(word: str) -> str:
    return _snowball()[1].stemWord(word)


STEMMERS = {"sv": stem_sv, "en": stem_en}


def detect_language(text: str, resources: Resources | None = None) -> str:
    """``sv`` or ``en`` from function words (and å/ä/ö); enough for choosing a stemmer."""
    res = resources or load_resources()
    tokens = words(text[:4000])
    sv = sum(1 for t in tokens if t in res.sv_markers)
    en = sum(1 for t in tokens if t in res.en_markers)
    if sv != en:
        return "sv" if sv > en else "en"
    return "sv" if re.search(r"[åäöÅÄÖ]", text) else "en"


def normalise_language(language: str, text: str, resources: Resources | None = None) -> str:
    """The given language when it is Swedish or English, otherwise a detected one."""
    code = (language or "").strip().lower()[:2]
    if code in ("sv", "en"):
        return code
    return detect_language(text, resources)


@dataclass
class Lexicon:
    """Known Swedish words, used to split compounds: surface forms and their stems."""

    surface: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    #: every beginning (three letters or more) of every surface form
    prefixes: set[str] = field(default_factory=set)

    def add(self, word: str, inflect: bool = False) -> None:
        """Add a word; with ``inflect`` (for base forms) its likely inflected forms' stems too."""
        if len(word) >= MIN_PART and word not in self.surface:
            self.surface.add(word)
            self.prefixes.update(word[:i] for i in range(MIN_PART, len(word) + 1))
            self.stems.update(sv_keys(word) if inflect else (stem_sv(word),))

    def knows(self, word: str) -> bool:
        return word in self.surface or stem_sv(word) in self.stems


@dataclass(frozen=True)
class WordInfo:
    """What one word contributes: its key (stem), its features, and which of them come from parts."""

    key: str
    features: tuple[str, ...]
    #: feature -> the part of the word it comes from (for compounds), for explanations
    parts: tuple[tuple[str, str], ...] = ()


class Analyzer:
    """Turns texts into features. Holds per-word caches, so reuse one Analyzer for a whole corpus."""

    def __init__(
        self, resources: Resources | None = None, lexicon: Lexicon | None = None, method: Method = DEFAULT
    ) -> None:
        self.res = resources or load_resources()
        self.method = method
        self.lexicon = lexicon if lexicon is not None else self.base_lexicon(self.res)
        self._cache: dict[str, dict[str, WordInfo]] = {"sv": {}, "en": {}}
        self._splits: dict[str, tuple[str, ...]] = {}

    @staticmethod
    def base_lexicon(res: Resources) -> Lexicon:
        lexicon = Lexicon()
        for word in res.base_words:
            lexicon.add(word, inflect=True)
        return lexicon

    # --- words -----------------------------------------------------------------------------

    def split(self, word: str) -> tuple[str, ...]:
        """Known parts of a Swedish compound (every plausible split), or () when it is not one."""
        cached = self._splits.get(word)
        if cached is not None:
            return cached
        found: list[str] = []
        # every modifier tried for word[:i] begins with word[:i - 1]; once that begins no known word,
        # no longer modifier can be known either (most words are dismissed after a lookup or two)
        prefixes = self.lexicon.prefixes
        if len(word) >= MIN_COMPOUND and word[:MIN_PART] in prefixes:
            for i in range(MIN_PART, len(word) - MIN_PART + 1):
                left, right = word[:i], word[i:]
                if i > MIN_PART and left[:-1] not in prefixes:
                    break
                modifier = self._modifier(left)
                if modifier is None:
                    continue
                if self._head_ok(right):
                    found.extend((modifier, right))
                elif len(right) >= MIN_COMPOUND:
                    tail = self.split(right)
                    if tail:
                        found.append(modifier)
                        found.extend(tail)
        parts = tuple(dict.fromkeys(p for p in found if p != word))
        self._splits[word] = parts
        return parts

    def _part_ok(self, part: str) -> bool:
        """A head (last part): a known word in any inflection ("förvaltningen", "åtgärder")."""
        return len(part) >= MIN_PART and part not in self.res.stop and self.lexicon.knows(part)

    def _head_ok(self, part: str) -> bool:
        return part not in SUFFIXES and self._part_ok(part)

    def _modifier(self, left: str) -> str | None:
        """The first element of a compound, allowing the linking -s (vattenvårds-) and a dropped -a/-e.

        Modifiers are base forms or stems, so only the surface forms are looked up (set lookups: this
        runs for every position of every long word).
        """
        surface, stop = self.lexicon.surface, self.res.stop
        if left in SUFFIXES or left[:-1] in SUFFIXES:
            return None
        for candidate in (left[:-1] if left.endswith("s") else None, left, left + "a", left + "e"):
            if candidate and len(candidate) >= MIN_PART and candidate in surface and candidate not in stop:
                return candidate
        return None

    def stem(self, word: str, lang: str) -> str:
        return STEMMERS[lang](word) if self.method.stemming else word

    def _concepts(self, stem: str) -> tuple[str, ...]:
        if self.method.glossary == "off":
            return ()
        return self.res.glossary.single_features.get(stem, ())

    def _keep_stem(self, stem: str, concepts: tuple[str, ...]) -> bool:
        if self.method.boilerplate and stem in self.res.boilerplate_stems:
            return False
        return not (concepts and self.method.glossary == "replace")

    def info(self, word: str, lang: str) -> WordInfo:
        cache = self._cache[lang]
        got = cache.get(word)
        if got is not None:
            return got
        stem = self.stem(word, lang)
        features: list[str] = []
        parts: list[tuple[str, str]] = []
        if len(word) >= 2 and word not in self.res.stop and not word.isdigit() and "_" not in word:
            concepts = self._concepts(stem)
            if self._keep_stem(stem, concepts):
                features.append(ENGLISH_TAG + stem if lang == "en" and self.method.tag_language else stem)
            features.extend(concepts)
            if lang == "sv" and self.method.compounds:
                for part in self.split(word):
                    part_stem = self.stem(part, "sv")
                    part_concepts = self._concepts(part_stem)
                    if part_stem != stem and self._keep_stem(part_stem, part_concepts):
                        features.append(part_stem)
                        parts.append((part_stem, part))
                    features.extend(part_concepts)
                    parts.extend((c, part) for c in part_concepts)
        result = WordInfo(stem, tuple(dict.fromkeys(features)), tuple(parts))
        cache[word] = result
        return result

    # --- texts -----------------------------------------------------------------------------

    def features(self, text: str, lang: str) -> list[str]:
        """Every feature of the text, repeated as often as it occurs."""
        tokens = words(text)
        infos = [self.info(t, lang) for t in tokens]
        out = [f for i in infos for f in i.features]
        out.extend(CONCEPT_PREFIX + concept for concept, _, _ in self._phrases(infos))
        return out

    def _phrases(self, infos: list[WordInfo]) -> Iterator[tuple[str, int, int]]:
        """Multi-word glossary terms found in the text: (concept, first word, end)."""
        if self.method.glossary == "off":
            return
        lengths, by_keys = self.res.glossary.lengths, self.res.glossary.by_keys
        keys = [info.key for info in infos]
        for i, key in enumerate(keys):
            for n in lengths.get(key, ()):
                for concept in by_keys.get(tuple(keys[i : i + n]), ()):
                    yield concept, i, i + n

    def surfaces(
        self, text: str, lang: str, wanted: Iterable[str] | None = None, parts: bool = False
    ) -> dict[str, str]:
        """feature -> the words of this text it first came from (for explanations).

        With ``parts``, a feature that comes from part of a compound is shown as that part
        ("vatten" rather than "kustvatten"); otherwise as the whole word. With ``wanted``, only
        those features are looked for.
        """
        want = set(wanted) if wanted is not None else None
        tokens = words(text)
        infos = [self.info(t, lang) for t in tokens]
        # the text's own spelling ("Östersjön") for display, when lower-casing kept the word boundaries
        shown = WORD.findall(text)
        if len(shown) != len(tokens):
            shown = tokens
        found: dict[str, str] = {}
        # a glossary phrase is the best name for its concept ("baltic sea" rather than "baltic")
        if want is None or any(f.startswith(CONCEPT_PREFIX) for f in want):
            for concept, start, end in self._phrases(infos):
                feature = CONCEPT_PREFIX + concept
                if feature not in found and (want is None or feature in want):
                    found[feature] = " ".join(shown[start:end])
        for token, info in zip(shown, infos, strict=True):
            if want is not None and len(found) == len(want):
                break
            from_parts = dict(info.parts) if parts and info.parts else None
            for feature in info.features:
                if feature not in found and (want is None or feature in want):
                    found[feature] = from_parts.get(feature, token) if from_parts else token
        return found


def analyzer_for(corpus_words: Iterable[str], resources: Resources | None = None, method: Method = DEFAULT) -> Analyzer:
    """An Analyzer whose compound lexicon also knows the given (corpus) words."""
    res = resources or load_resources()
    lexicon = Analyzer.base_lexicon(res)
    for word in corpus_words:
        if word not in res.stop:
            lexicon.add(word)
    return Analyzer(res, lexicon, method)
