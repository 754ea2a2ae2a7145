"""TF-IDF vectors of calls and of profile priorities, over the features ``matcher.text`` produces.

A :class:`CallIndex` is built once over a corpus of calls (the vocabulary, the IDF weights and one
L2-normalised row per call) and then scores any number of profiles. Calls that arrive later can be
vectorised with the same vocabulary and IDF (:meth:`CallIndex.transform`) without rebuilding.

Fields are weighted before TF-IDF: a word in the title counts three times, in the summary twice, in
the description, programme and funder once. Term frequencies are damped (``log(1 + tf)``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from matcher.model import CallId, CallText
from matcher.resources import Resources, load_resources
from matcher.text import CONCEPT_PREFIX, MIN_PART, Analyzer, analyzer_for, normalise_language, words

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


def call_language(call: CallText, resources: Resources | None = None) -> str:
    return normalise_language(call.language, f"{call.title}\n{call.summary}\n{call.description[:2000]}", resources)


def call_fields(call: CallText) -> list[tuple[str, float]]:
    texts = {
        "title": call.title,
        "summary": call.summary,
        "description": call.description[:MAX_DESCRIPTION],
        "programme": call.programme,
        "funder": call.funder,
    }
    return [(texts[name], weight) for name, weight in CALL_FIELDS if texts[name]]


@dataclass
class Vectoriser:
    """Maps texts to feature ids with per-word caches; grows the vocabulary only while ``growing``."""

    analyzer: Analyzer
    vocab: dict[str, int] = field(default_factory=dict)
    growing: bool = True
    _cache: dict[str, dict[str, tuple[tuple[int, ...], str]]] = field(default_factory=lambda: {"sv": {}, "en": {}})

    def feature_id(self, feature: str) -> int | None:
        got = self.vocab.get(feature)
        if got is None and self.growing:
            got = self.vocab[feature] = len(self.vocab)
        return got

    def ids(self, text: str, lang: str) -> list[int]:
        """Feature ids of a text, repeated as often as they occur."""
        cache = self._cache[lang]
        tokens = words(text)
        entries = []
        for token in tokens:
            entry = cache.get(token)
            if entry is None:
                info = self.analyzer.info(token, lang)
                found = (self.feature_id(f) for f in info.features)
                entry = cache[token] = (tuple(i for i in found if i is not None), info.key)
            entries.append(entry)
        out = [i for ids, _ in entries for i in ids]
        starts = self.analyzer.res.glossary.phrases
        for position, (_, key) in enumerate(entries):
            candidates = starts.get(key)
            if not candidates:
                continue
            for keys, concept in candidates:
                end = position + len(keys)
                if end <= len(entries) and all(entries[position + k][1] == keys[k] for k in range(1, len(keys))):
                    fid = self.feature_id(CONCEPT_PREFIX + concept)
                    if fid is not None:
                        out.append(fid)
        return out


def _rows(
    vectoriser: Vectoriser, docs: Iterable[tuple[list[tuple[str, float]], str]], n_features: int | None = None
) -> sp.csr_matrix:
    """Weighted feature counts, one row per document ([(text, weight)], language)."""
    chunks = []
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    n = 0
    for texts, lang in docs:
        for text, weight in texts:
            ids = vectoriser.ids(text, lang)
            cols.extend(ids)
            rows.extend([n % _CHUNK] * len(ids))
            vals.extend([weight] * len(ids))
        n += 1
        if n % _CHUNK == 0:
            chunks.append((rows, cols, vals, _CHUNK))
            rows, cols, vals = [], [], []
    if n % _CHUNK or n == 0:
        chunks.append((rows, cols, vals, n % _CHUNK))
    width = n_features if n_features is not None else len(vectoriser.vocab)
    blocks = []
    for r, c, v, height in chunks:
        block = sp.coo_matrix(
            (np.asarray(v, dtype=np.float32), (np.asarray(r, dtype=np.int32), np.asarray(c, dtype=np.int32))),
            shape=(height, width),
        ).tocsr()
        block.sum_duplicates()
        blocks.append(block)
    return sp.vstack(blocks, format="csr") if len(blocks) > 1 else blocks[0]


def _weigh(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """log(1 + tf) × idf, rows L2-normalised."""
    m = counts.copy()
    m.data = np.log1p(m.data).astype(np.float32) * idf[m.indices]
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ m)


class CallIndex:
    """Vectors of a corpus of calls, plus what is needed to vectorise profiles against them."""

    def __init__(
        self,
        calls: Sequence[CallText],
        languages: list[str],
        matrix: sp.csr_matrix,
        vectoriser: Vectoriser,
        idf: np.ndarray,
    ) -> None:
        self.calls = list(calls)
        self.languages = languages
        self.matrix = matrix
        self.vectoriser = vectoriser
        self.idf = idf
        self.position: dict[CallId, int] = {c.id: i for i, c in enumerate(self.calls)}
        self._features: list[str] | None = None

    @classmethod
    def build(cls, calls: Sequence[CallText], resources: Resources | None = None) -> CallIndex:
        """Fit vocabulary and IDF on ``calls`` and vectorise them."""
        res = resources or load_resources()
        calls = list(calls)
        languages = [call_language(c, res) for c in calls]
        # words seen in at least two Swedish calls teach the compound splitter new parts
        df: Counter[str] = Counter()
        for call, lang in zip(calls, languages, strict=True):
            if lang == "sv":
                df.update({w for text, _ in call_fields(call) for w in words(text) if len(w) >= MIN_PART})
        analyzer = analyzer_for((w for w, n in df.items() if n >= 2), res)
        vectoriser = Vectoriser(analyzer)
        counts = _rows(vectoriser, ((call_fields(c), lang) for c, lang in zip(calls, languages, strict=True)))
        vectoriser.growing = False
        n_docs = counts.shape[0]
        doc_freq = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
        idf = (np.log((1.0 + n_docs) / (1.0 + doc_freq)) + 1.0).astype(np.float32)
        return cls(calls, languages, _weigh(counts, idf), vectoriser, idf)

    def transform(self, calls: Sequence[CallText]) -> CallIndex:
        """A new index over ``calls`` sharing this one's vocabulary and IDF (for newly arrived calls)."""
        res = self.vectoriser.analyzer.res
        calls = list(calls)
        languages = [call_language(c, res) for c in calls]
        counts = _rows(
            self.vectoriser,
            ((call_fields(c), lang) for c, lang in zip(calls, languages, strict=True)),
            n_features=len(self.idf),
        )
        return CallIndex(calls, languages, _weigh(counts, self.idf), self.vectoriser, self.idf)

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
        counts = _rows(self.vectoriser, [(list(parts), lang)], n_features=len(self.idf))
        return _weigh(counts, self.idf)

    def sublinear_weight(self, count: float) -> float:
        return math.log1p(count)
