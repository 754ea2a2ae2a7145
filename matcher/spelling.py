"""Similar spellings: call-vocabulary words spelled like a profile's words.

Cosine of the words' character 3- and 4-grams (padded with spaces). This catches cognates the
glossary lacks ("digitalisering" ~ "digitalisation") and inflections the stemmer leaves apart.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from matcher.text import CONCEPT_PREFIX, ENGLISH_TAG


class SpellingTable:
    """The n-gram vectors of the vocabulary's words, with cached neighbour look-ups."""

    def __init__(self, features: Sequence[str], doc_freq: np.ndarray, n_calls: int) -> None:
        self.features = features
        # words in at least two calls (in a large corpus, in one call of 20,000): typos and one-off
        # names are no useful neighbours, and leaving them out keeps this table small
        min_df = max(2, n_calls // 20_000)
        self.candidates = np.array(
            [i for i, name in enumerate(features) if doc_freq[i] >= min_df and _fuzzy_word(name)], dtype=np.int64
        )
        self.gram_ids: dict[str, int] = {}
        self.matrix = _gram_rows([_untagged(features[i]) for i in self.candidates], self.gram_ids, growing=True)
        self._found: dict[int, list[tuple[int, float]]] = {}

    def neighbours(
        self, feature_ids: Sequence[int], threshold: float, top: int = 3
    ) -> dict[int, list[tuple[int, float]]]:
        """For word features, the words spelled most alike (cosine at least ``threshold``), best first;
        results are cached per feature."""
        names = self.features
        missing = [f for f in dict.fromkeys(feature_ids) if f not in self._found and _fuzzy_word(names[f])]
        if missing:
            query = _gram_rows([_untagged(names[f]) for f in missing], self.gram_ids, growing=False)
            sims = (query @ self.matrix.T).tocsr() if self.matrix.shape[0] else None
            for row, fid in enumerate(missing):
                found: list[tuple[int, float]] = []
                if sims is not None:
                    start, end = sims.indptr[row], sims.indptr[row + 1]
                    found = [
                        (int(self.candidates[c]), float(v))
                        for c, v in zip(sims.indices[start:end], sims.data[start:end], strict=True)
                        if v >= threshold and int(self.candidates[c]) != fid
                    ]
                    found.sort(key=lambda item: -item[1])
                self._found[fid] = found[:top]
        return {f: self._found[f] for f in feature_ids if self._found.get(f)}


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
