"""TF-IDF vectors of calls and of profile priorities, over the features ``matcher.text`` produces.

A :class:`CallIndex` is built once over a corpus of calls (the vocabulary, the IDF weights and one
L2-normalised row per call) and then scores any number of profiles. Calls that arrive later can be
vectorised with the same vocabulary and IDF (:meth:`CallIndex.transform`) without rebuilding.

Fields are weighted before TF-IDF: a word in the title counts three times, in the summary twice, in
the description, programme and funder once. Term frequencies are damped (``log(1 + tf)``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from matcher.eligibility import area_vocabulary
from matcher.method import DEFAULT, Method
from matcher.model import CallId, CallText
from matcher.resources import Resources, load_resources
from matcher.spelling import SpellingTable
from matcher.text import MIN_PART, Analyzer, analyzer_for, normalise_language, words
from matcher.vectors import CharGrams, Vectoriser, idf_of, rows, weigh

#: call fields and how much a word in each counts
CALL_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 3.0),
    ("summary", 2.0),
    ("description", 1.0),
    ("programme", 1.0),
    ("funder", 1.0),
)
#: profile priority parts and how much a word in each counts
PRIORITY_FIELDS: tuple[tuple[str, float], ...] = (("title", 2.0), ("keywords", 3.0), ("text", 1.0))
#: how many characters of a description are read (long texts add little but cost time)
MAX_DESCRIPTION = 20_000
_CHUNK = 2_000
#: how many Swedish calls, and how much of each description, teach the compound splitter new words
LEXICON_SAMPLE = 10_000
LEXICON_CHARS = 2_000


def call_language(call: CallText, resources: Resources | None = None) -> str:
    return normalise_language(call.language, f"{call.title}\n{call.summary}\n{call.description[:2000]}", resources)


def call_fields(call: CallText, method: Method = DEFAULT) -> list[tuple[str, float]]:
    """A call's texts with their weights; fields of equal weight are read as one text."""
    texts = {
        "title": call.title,
        "summary": call.summary,
        "description": call.description[:MAX_DESCRIPTION],
        "programme": call.programme,
        "funder": call.funder,
    }
    by_weight: dict[float, list[str]] = {}
    for name, weight in CALL_FIELDS:
        if texts[name]:
            by_weight.setdefault(weight if method.field_weights else 1.0, []).append(texts[name])
    return [("\n".join(parts), weight) for weight, parts in by_weight.items()]


def head_fields(call: CallText, method: Method = DEFAULT) -> list[tuple[str, float]]:
    """Title and summary only: what character n-grams are computed on (cheap even for 100,000 calls)."""
    weights = dict(CALL_FIELDS)
    return [
        (text, weights[name] if method.field_weights else 1.0)
        for name, text in (("title", call.title), ("summary", call.summary))
        if text
    ]


def _count_calls(
    vectoriser: Vectoriser,
    pairs: Sequence[tuple[CallText, str]],
    method: Method,
    n_features: int | None = None,
) -> tuple[sp.csr_matrix, list[frozenset[str]]]:
    """Count the calls' features and note the programme-area words each contains, in one reading."""
    return vectoriser.matrix(((call_fields(c, method), lang) for c, lang in pairs), n_features, watch=area_vocabulary())


class CallIndex:
    """Vectors of a corpus of calls, plus what is needed to vectorise profiles against them."""

    def __init__(
        self,
        calls: Sequence[CallText],
        languages: list[str],
        matrix: sp.csr_matrix,
        vectoriser: Vectoriser,
        idf: np.ndarray,
        doc_freq: np.ndarray,
        method: Method = DEFAULT,
        chars: tuple[CharGrams, np.ndarray, sp.csr_matrix] | None = None,
        pivot: float = 1.0,
    ) -> None:
        #: the corpus's mean vector length, for pivoted length normalisation
        self.pivot = pivot
        self.calls = list(calls)
        self.languages = languages
        self.matrix = matrix
        self.vectoriser = vectoriser
        self.idf = idf
        self.doc_freq = doc_freq
        self.method = method
        #: (n-gram vocabulary, its IDF, one row per call) when ``method.char_ngrams`` is on
        self.chars = chars
        self.position: dict[CallId, int] = {c.id: i for i, c in enumerate(self.calls)}
        self._features: list[str] | None = None
        self._spelling: SpellingTable | None = None
        self._containing: dict[str, frozenset[int]] = {}
        self._binary: sp.csr_matrix | None = None
        self._csc: sp.csc_matrix | None = None
        self._surfaces: dict[int, dict[str, str]] = {}
        #: what depends only on the vocabulary, shared with indexes made by :meth:`transform`
        self.shared: dict[str, dict] = {}
        #: per call: the words of programme-area names (``regions.txt``) that occur in it
        self.area_words: list[frozenset[str]] = [frozenset()] * len(self.calls)
        #: derived per-call data computed on demand by the ranking (e.g. eligibility per applicant kind)
        self.cache: dict[object, object] = {}

    @classmethod
    def build(
        cls, calls: Sequence[CallText], resources: Resources | None = None, method: Method = DEFAULT
    ) -> CallIndex:
        """Fit vocabulary and IDF on ``calls`` and vectorise them."""
        res = resources or load_resources()
        calls = list(calls)
        languages = [call_language(c, res) for c in calls]
        # words seen in at least two Swedish calls teach the compound splitter new parts (a sample of
        # the corpus is enough: a lexicon stops growing long before 100,000 calls)
        df: Counter[str] = Counter()
        if method.compounds:
            swedish = [c for c, lang in zip(calls, languages, strict=True) if lang == "sv"][:LEXICON_SAMPLE]
            for call in swedish:
                text = f"{call.title}\n{call.summary}\n{call.description[:LEXICON_CHARS]}"
                df.update({w for w in words(text) if len(w) >= MIN_PART})
        analyzer = analyzer_for((w for w, n in df.items() if n >= 2), res, method)
        vectoriser = Vectoriser(analyzer)
        pairs = list(zip(calls, languages, strict=True))
        counts, area_words = _count_calls(vectoriser, pairs, method)
        vectoriser.growing = False
        idf, doc_freq = idf_of(counts)
        chars = None
        if method.char_ngrams > 0:
            grams = CharGrams(analyzer)
            char_counts = rows(grams.counts, ((head_fields(c, method), lang) for c, lang in pairs))
            grams.growing = False
            char_idf, _ = idf_of(char_counts)
            chars = (grams, char_idf, weigh(char_counts, char_idf)[0])
        matrix, pivot = weigh(counts, idf, method.slope)
        index = cls(calls, languages, matrix, vectoriser, idf, doc_freq, method, chars, pivot)
        index.area_words = area_words
        return index

    def transform(self, calls: Sequence[CallText]) -> CallIndex:
        """A new index over ``calls`` sharing this one's vocabulary and IDF (for newly arrived calls)."""
        res = self.vectoriser.analyzer.res
        calls = list(calls)
        languages = [call_language(c, res) for c in calls]
        pairs = list(zip(calls, languages, strict=True))
        counts, area_words = _count_calls(self.vectoriser, pairs, self.method, len(self.idf))
        chars = None
        if self.chars is not None:
            grams, char_idf, _ = self.chars
            char_counts = rows(grams.counts, ((head_fields(c, self.method), lang) for c, lang in pairs), len(char_idf))
            chars = (grams, char_idf, weigh(char_counts, char_idf)[0])
        matrix, _ = weigh(counts, self.idf, self.method.slope, self.pivot)
        new = CallIndex(
            calls, languages, matrix, self.vectoriser, self.idf, self.doc_freq, self.method, chars, self.pivot
        )
        new.area_words = area_words
        # what depends only on the vocabulary is shared
        new._features, new.shared = self.features, self.shared
        new._spelling = self.shared.get("spelling")
        return new

    @property
    def analyzer(self) -> Analyzer:
        return self.vectoriser.analyzer

    @property
    def features(self) -> list[str]:
        """Feature names by id."""
        if self._features is None:
            names = [""] * len(self.vectoriser.vocab)
            for name, i in self.vectoriser.vocab.items():
                names[i] = name
            self._features = names
        return self._features

    def __len__(self) -> int:
        return len(self.calls)

    def vectorise(self, parts: Sequence[tuple[str, float]], lang: str) -> sp.csr_matrix:
        """One L2-normalised TF-IDF row for weighted texts (a profile priority)."""
        if not self.method.field_weights:
            parts = [(text, 1.0) for text, _ in parts]
        counts, _ = self.vectoriser.matrix([(list(parts), lang)], len(self.idf))
        return weigh(counts, self.idf)[0]

    def vectorise_many(self, texts: Sequence[Sequence[tuple[str, float]]], lang: str) -> sp.csr_matrix:
        """One L2-normalised TF-IDF row per list of weighted texts (the priorities of a profile)."""
        docs = [([(t, w if self.method.field_weights else 1.0) for t, w in parts], lang) for parts in texts]
        if not docs:
            return sp.csr_matrix((0, len(self.idf)), dtype=np.float32)
        return weigh(self.vectoriser.matrix(docs, len(self.idf))[0], self.idf)[0]

    def vectorise_chars(self, parts: Sequence[tuple[str, float]], lang: str) -> sp.csr_matrix | None:
        if self.chars is None:
            return None
        grams, char_idf, _ = self.chars
        return weigh(rows(grams.counts, [(list(parts), lang)], len(char_idf)), char_idf)[0]

    def surfaces_of(self, position: int, wanted: set[str]) -> dict[str, str]:
        """feature -> the call's own words for it (title first), for the wanted features; cached per
        call, so that explaining one call to many profiles reads it once."""
        known = self.known_surfaces(position, wanted)
        return {f: known[f] for f in wanted if known.get(f)}

    def known_surfaces(self, position: int, wanted: set[str]) -> dict[str, str]:
        """Every feature of the call looked up so far -> the call's own words for it, "" when the call does
        not spell it out (a concept, a spelling neighbour), the ``wanted`` features included: the cache
        itself (read it, do not change it)."""
        known: dict[str, str] = self._surfaces.setdefault(position, {})
        missing = {f for f in wanted if f not in known}
        if missing:
            lang = self.languages[position]
            for text, _ in call_fields(self.calls[position], self.method):
                if not missing:
                    break
                for feature, surface in self.analyzer.surfaces(text, lang, missing).items():
                    known[feature] = surface
                    missing.discard(feature)
            for feature in missing:
                known[feature] = ""
        return known

    @property
    def binary(self) -> sp.csr_matrix:
        """The call matrix with every non-zero set to 1 (for counting shared features)."""
        if self._binary is None:
            binary = self.matrix.copy()
            binary.data = np.ones_like(binary.data)
            self._binary = binary
        return self._binary

    def column(self, name: str) -> tuple[np.ndarray, list[str]]:
        """A call attribute (``status``, ``source``, ``funder``, ``programme``) as codes into its values."""
        key = ("column", name)
        if key not in self.cache:
            values: dict[str, int] = {}
            codes = np.fromiter(
                (values.setdefault(getattr(c, name) or "", len(values)) for c in self.calls),
                dtype=np.int32,
                count=len(self.calls),
            )
            self.cache[key] = (codes, list(values))
        return self.cache[key]  # type: ignore[return-value]

    def containing(self, term: str) -> frozenset[int]:
        """Positions of the calls whose title, summary or description contain ``term`` as a word or as
        the start of one ("doktorand" is found in "doktorandtjänster"); case-insensitive, cached.

        Candidates come from the vocabulary (words starting with the term, and the calls holding their
        features); only those calls' texts are read to confirm.
        """
        key = " ".join(words(term))
        if not key:
            return frozenset()
        found = self._containing.get(key)
        if found is None:
            first = key.split()[0]
            fids = {
                fid
                for cache in self.vectoriser._cache.values()
                for token, entry in cache.items()
                if token.startswith(first)
                for fid in entry[0]
            }
            csc = self.csc
            rows: set[int] = set()
            for fid in fids:
                rows.update(csc.indices[csc.indptr[fid] : csc.indptr[fid + 1]].tolist())
            pattern = re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in key.split()))
            hits = []
            for position in sorted(rows):
                call = self.calls[position]
                text = f"{call.title}\n{call.summary}\n{call.description[:MAX_DESCRIPTION]}".lower()
                if pattern.search(text):
                    hits.append(position)
            found = self._containing[key] = frozenset(hits)
        return found

    @property
    def csc(self) -> sp.csc_matrix:
        """The call matrix by column (feature -> calls), built on first use."""
        if self._csc is None:
            self._csc = self.matrix.tocsc()
        return self._csc

    # --- similar spellings ---------------------------------------------------------------------

    def neighbours(
        self, feature_ids: Sequence[int], threshold: float, top: int = 3
    ) -> dict[int, list[tuple[int, float]]]:
        """For word features, the call-vocabulary words spelled most alike (see :mod:`matcher.spelling`)."""
        if self._spelling is None:
            self._spelling = SpellingTable(self.features, self.doc_freq, len(self.calls))
            self.shared["spelling"] = self._spelling
        return self._spelling.neighbours(feature_ids, threshold, top)
