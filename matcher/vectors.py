"""Texts to count matrices and TF-IDF weights: the word/concept vectoriser and character n-grams."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from matcher.text import CONCEPT_PREFIX, Analyzer, words


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


def rows(
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


def weigh(
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


def idf_of(counts: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    n_docs = counts.shape[0]
    doc_freq = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
    return (np.log((1.0 + n_docs) / (1.0 + doc_freq)) + 1.0).astype(np.float32), doc_freq
