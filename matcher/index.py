"""TF-IDF vectors of calls and of profile priorities, over the features ``matcher.text`` produces.

A :class:`CallIndex` is built once over a corpus of calls (the vocabulary, the IDF weights and one
L2-normalised row per call) and then scores any number of profiles. Calls that arrive later can be
vectorised with the same vocabulary and IDF (:meth:`CallIndex.transform`) without rebuilding.

Fields are weighted before TF-IDF: a word in the title counts three times, in the summary twice, in
the description, programme and funder once. Term frequencies are damped (``log(1 + tf)``).
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from matcher.eligibility import area_vocabulary
from matcher.method import DEFAULT, Method
from matcher.model import CallId, CallText
from matcher.resources import Resources, load_resources
from matcher.text import CONCEPT_PREFIX, ENGLISH_TAG, MIN_PART, Analyzer, analyzer_for, normalise_language, words

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


@dataclass
class Vectoriser:
    """Maps texts to feature ids with per-word caches; grows the vocabulary only while ``growing``.

    Every distinct word (per language) gets a token id and its analysis (features, stem key, lengths
    of the glossary phrases it can start) once. A batch of texts becomes a documents × tokens count
    matrix, multiplied by the tokens × features matrix: the per-word work in Python is one dictionary
    lookup per distinct word of a text.
    """

    analyzer: Analyzer
    vocab: dict[str, int] = field(default_factory=dict)
    growing: bool = True
    #: per language: word -> (feature ids, stem key, phrase lengths, token id)
    _cache: dict[str, dict[str, tuple[tuple[int, ...], str, tuple[int, ...], int]]] = field(
        default_factory=lambda: {"sv": {}, "en": {}}
    )
    #: per language: the words that can start a multi-word glossary term
    _starters: dict[str, set[str]] = field(default_factory=lambda: {"sv": set(), "en": set()})
    _token_indptr: array = field(default_factory=lambda: array("q", [0]))
    _token_features: array = field(default_factory=lambda: array("i"))

    def feature_id(self, feature: str) -> int | None:
        got = self.vocab.get(feature)
        if got is None and self.growing:
            got = self.vocab[feature] = len(self.vocab)
        return got

    def _entry(self, token: str, lang: str) -> tuple[tuple[int, ...], str, tuple[int, ...], int]:
        info = self.analyzer.info(token, lang)
        found = (self.feature_id(f) for f in info.features)
        lengths = self.analyzer.res.glossary.lengths.get(info.key, ()) if self.analyzer.method.glossary != "off" else ()
        features = tuple(i for i in found if i is not None)
        entry = (features, info.key, lengths, len(self._token_indptr) - 1)
        self._token_features.extend(features)
        self._token_indptr.append(len(self._token_features))
        self._cache[lang][token] = entry
        if lengths:
            self._starters[lang].add(token)
        return entry

    def tokens_to_features(self, width: int) -> sp.csr_matrix:
        n_tokens = len(self._token_indptr) - 1
        return sp.csr_matrix(
            (
                np.ones(len(self._token_features), dtype=np.float32),
                np.array(self._token_features, dtype=np.int32),
                np.array(self._token_indptr, dtype=np.int64),
            ),
            shape=(n_tokens, width),
        )

    def matrix(
        self,
        docs: Iterable[tuple[Sequence[tuple[str, float]], str]],
        n_features: int | None = None,
        watch: frozenset[str] | None = None,
    ) -> tuple[sp.csr_matrix, list[frozenset[str]]]:
        """Weighted feature counts, one row per document ([(text, weight)], language), and per document
        the words of ``watch`` it contains (for the eligibility signals, without reading texts again)."""
        indptr = array("q", [0])
        tokens_of = array("i")
        counts = array("f")
        phrase_rows, phrase_cols, phrase_vals = array("i"), array("i"), array("f")
        seen: list[frozenset[str]] = []
        empty: frozenset[str] = frozenset()
        for row, (fields, lang) in enumerate(docs):
            get = self._cache[lang].get
            starters = self._starters[lang]
            found: set[str] = set()
            for text, weight in fields:
                tokens = words(text)
                counted = Counter(tokens)
                if watch:
                    found.update(watch.intersection(counted))
                tokens_of.extend([(get(t) or self._entry(t, lang))[3] for t in counted])
                counts.extend(counted.values() if weight == 1.0 else [n * weight for n in counted.values()])
                starts = starters.intersection(counted)
                if starts:
                    for fid in self._phrases(tokens, starts, lang):
                        phrase_rows.append(row)
                        phrase_cols.append(fid)
                        phrase_vals.append(weight)
            indptr.append(len(tokens_of))
            seen.append(frozenset(found) if found else empty)
        n_docs = len(indptr) - 1
        width = n_features if n_features is not None else len(self.vocab)
        doc_tokens = sp.csr_matrix(
            (
                np.array(counts, dtype=np.float32),
                np.array(tokens_of, dtype=np.int32),
                np.array(indptr, dtype=np.int64),
            ),
            shape=(n_docs, len(self._token_indptr) - 1),
        )
        result = (doc_tokens @ self.tokens_to_features(width)).tocsr()
        if len(phrase_rows):
            phrases = sp.csr_matrix(
                (np.array(phrase_vals, dtype=np.float32), (np.array(phrase_rows), np.array(phrase_cols))),
                shape=(n_docs, width),
            )
            result = (result + phrases).tocsr()
        result.sum_duplicates()
        return result, seen

    def _phrases(self, tokens: list[str], starts: set[str], lang: str) -> list[int]:
        """Feature ids of the multi-word glossary terms found at the positions of ``starts`` words."""
        cache = self._cache[lang]
        by_keys = self.analyzer.res.glossary.by_keys
        out = []
        for position in [i for i, t in enumerate(tokens) if t in starts]:
            for n in cache[tokens[position]][2]:
                window = tokens[position : position + n]
                if len(window) < n:
                    continue
                keys = tuple([cache[t][1] for t in window])  # every word of the text is in the cache by now
                for concept in by_keys.get(keys, ()):
                    fid = self.feature_id(CONCEPT_PREFIX + concept)
                    if fid is not None:
                        out.append(fid)
        return out


def _count_calls(
    vectoriser: Vectoriser,
    pairs: Sequence[tuple[CallText, str]],
    method: Method,
    n_features: int | None = None,
) -> tuple[sp.csr_matrix, list[frozenset[str]]]:
    """Count the calls' features and note the programme-area words each contains, in one reading."""
    return vectoriser.matrix(((call_fields(c, method), lang) for c, lang in pairs), n_features, watch=area_vocabulary())


def _rows(
    counts_of: Callable[[Sequence[tuple[str, float]], str], dict[int, float]],
    docs: Iterable[tuple[Sequence[tuple[str, float]], str]],
    n_features: int | None = None,
) -> sp.csr_matrix:
    """Weighted counts from a per-document counting function (character n-grams)."""
    # typed arrays hold 4 bytes a value (a list of Python numbers would take about 36)
    indptr = array("q", [0])
    indices = array("i")
    data = array("f")
    for fields, lang in docs:
        acc = counts_of(fields, lang)
        indices.extend(acc)
        data.extend(acc.values())
        indptr.append(len(indices))
    width = n_features if n_features is not None else (max(indices) + 1 if indices else 0)
    return sp.csr_matrix(
        (
            np.frombuffer(data, dtype=np.float32),
            np.frombuffer(indices, dtype=np.int32),
            np.frombuffer(indptr, dtype=np.int64),
        ),
        shape=(len(indptr) - 1, width),
    )


def _weigh(
    counts: sp.csr_matrix, idf: np.ndarray, slope: float = 1.0, pivot: float | None = None
) -> tuple[sp.csr_matrix, float]:
    """log(1 + tf) × idf, each row divided by its length: the L2 norm, or with ``slope`` < 1 the pivoted
    length ``(1 - slope) × pivot + slope × norm`` (pivot: the corpus's mean norm), so that a call with
    only a title is not scored as if its one matching word were all it is about."""
    m = counts.copy()
    m.data = np.log1p(m.data).astype(np.float32) * idf[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    if pivot is None:
        pivot = float(norms[norms > 0].mean()) if np.any(norms > 0) else 1.0
    if slope < 1.0:
        norms = (1.0 - slope) * pivot + slope * norms
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ m), pivot


class CharGrams:
    """Character n-grams (3-5) of each word, padded with spaces: the ``char_wb`` analyser of scikit-learn,
    computed once per distinct word and summed per text."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.vocab: dict[str, int] = {}
        self.growing = True
        self._cache: dict[str, tuple[int, ...]] = {}

    def counts(self, fields: Sequence[tuple[str, float]], lang: str) -> dict[int, float]:
        acc: dict[int, float] = {}
        for text, weight in fields:
            for gid in self.ids(text, lang):
                acc[gid] = acc.get(gid, 0.0) + weight
        return acc

    def ids(self, text: str, lang: str) -> list[int]:
        out: list[int] = []
        res = self.analyzer.res
        for token in words(text):
            got = self._cache.get(token)
            if got is None:
                if token in res.stop or len(token) < 3 or token in res.boilerplate_words:
                    got = ()
                else:
                    padded = f" {token} "
                    grams = {padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1)}
                    found = []
                    for gram in grams:
                        gid = self.vocab.get(gram)
                        if gid is None and self.growing:
                            gid = self.vocab[gram] = len(self.vocab)
                        if gid is not None:
                            found.append(gid)
                    got = tuple(found)
                self._cache[token] = got
            out.extend(got)
        return out


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
        self._fuzzy: tuple[np.ndarray, sp.csr_matrix, dict[str, int]] | None = None
        self._neighbours: dict[int, list[tuple[int, float]]] = {}
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
        idf, doc_freq = _idf(counts)
        chars = None
        if method.char_ngrams > 0:
            grams = CharGrams(analyzer)
            char_counts = _rows(grams.counts, ((head_fields(c, method), lang) for c, lang in pairs))
            grams.growing = False
            char_idf, _ = _idf(char_counts)
            chars = (grams, char_idf, _weigh(char_counts, char_idf)[0])
        matrix, pivot = _weigh(counts, idf, method.slope)
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
            char_counts = _rows(grams.counts, ((head_fields(c, self.method), lang) for c, lang in pairs), len(char_idf))
            chars = (grams, char_idf, _weigh(char_counts, char_idf)[0])
        matrix, _ = _weigh(counts, self.idf, self.method.slope, self.pivot)
        new = CallIndex(
            calls, languages, matrix, self.vectoriser, self.idf, self.doc_freq, self.method, chars, self.pivot
        )
        new.area_words = area_words
        # what depends only on the vocabulary is shared
        new._features, new._fuzzy, new._neighbours = self.features, self._fuzzy, self._neighbours
        new.shared = self.shared
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
        return _weigh(counts, self.idf)[0]

    def vectorise_many(self, texts: Sequence[Sequence[tuple[str, float]]], lang: str) -> sp.csr_matrix:
        """One L2-normalised TF-IDF row per list of weighted texts (the priorities of a profile)."""
        docs = [([(t, w if self.method.field_weights else 1.0) for t, w in parts], lang) for parts in texts]
        if not docs:
            return sp.csr_matrix((0, len(self.idf)), dtype=np.float32)
        return _weigh(self.vectoriser.matrix(docs, len(self.idf))[0], self.idf)[0]

    def vectorise_chars(self, parts: Sequence[tuple[str, float]], lang: str) -> sp.csr_matrix | None:
        if self.chars is None:
            return None
        grams, char_idf, _ = self.chars
        return _weigh(_rows(grams.counts, [(list(parts), lang)], len(char_idf)), char_idf)[0]

    def surfaces_of(self, position: int, wanted: set[str]) -> dict[str, str]:
        """feature -> the call's own words for it (title first), for the wanted features; cached per
        call, so that explaining one call to many profiles reads it once."""
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
        return {f: known[f] for f in wanted if known.get(f)}

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
        """For word features, the call-vocabulary words spelled most alike (cosine of character
        3- and 4-grams at least ``threshold``): "digitalisering" finds "digitalis" (digitalisation).
        Results are cached per feature."""
        names = self.features
        missing = [f for f in dict.fromkeys(feature_ids) if f not in self._neighbours and _fuzzy_word(names[f])]
        if missing:
            candidates, grams_matrix, gram_ids = self._fuzzy_table()
            query_matrix = _gram_rows([_untagged(names[f]) for f in missing], gram_ids, growing=False)
            sims = (query_matrix @ grams_matrix.T).tocsr() if grams_matrix.shape[0] else None
            for row, fid in enumerate(missing):
                found: list[tuple[int, float]] = []
                if sims is not None:
                    start, end = sims.indptr[row], sims.indptr[row + 1]
                    found = [
                        (int(candidates[c]), float(v))
                        for c, v in zip(sims.indices[start:end], sims.data[start:end], strict=True)
                        if v >= threshold and int(candidates[c]) != fid
                    ]
                    found.sort(key=lambda item: -item[1])
                self._neighbours[fid] = found[:top]
        return {f: self._neighbours[f] for f in feature_ids if self._neighbours.get(f)}

    def _fuzzy_table(self) -> tuple[np.ndarray, sp.csr_matrix, dict[str, int]]:
        if self._fuzzy is None:
            names = self.features
            # words in at least two calls (in a large corpus, in one call of 20,000): typos and one-off
            # names are no useful neighbours, and leaving them out keeps this table small
            min_df = max(2, len(self.calls) // 20_000)
            candidates = np.array(
                [i for i, name in enumerate(names) if self.doc_freq[i] >= min_df and _fuzzy_word(name)], dtype=np.int64
            )
            gram_ids: dict[str, int] = {}
            matrix = _gram_rows([_untagged(names[i]) for i in candidates], gram_ids, growing=True)
            self._fuzzy = (candidates, matrix, gram_ids)
        return self._fuzzy


def _untagged(name: str) -> str:
    return name[len(ENGLISH_TAG) :] if name.startswith(ENGLISH_TAG) else name


def _fuzzy_word(name: str) -> bool:
    return len(_untagged(name)) >= 5 and not name.startswith(CONCEPT_PREFIX)


def _gram_rows(names: Sequence[str], gram_ids: dict[str, int], growing: bool) -> sp.csr_matrix:
    rows, cols = [], []
    for r, name in enumerate(names):
        padded = f" {name} "
        for gram in {padded[i : i + n] for n in (3, 4) for i in range(len(padded) - n + 1)}:
            gid = gram_ids.get(gram)
            if gid is None and growing:
                gid = gram_ids[gram] = len(gram_ids)
            if gid is not None:
                rows.append(r)
                cols.append(gid)
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(names), max(len(gram_ids), 1)))
    norms = np.sqrt(np.asarray(m.sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ m)


def _idf(counts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    n_docs = counts.shape[0]
    doc_freq = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
    return (np.log((1.0 + n_docs) / (1.0 + doc_freq)) + 1.0).astype(np.float32), doc_freq
