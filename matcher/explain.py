"""Explanations: which priority a call served and which words (the profile's and the call's) matched."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

import numpy as np
import scipy.sparse as sp

from matcher.index import CallIndex
from matcher.text import CONCEPT_PREFIX

#: at most this many term pairs are kept, and only those carrying at least this share of the score
MAX_TERMS = 6
MIN_SHARE = 0.03
#: at most this many pairs are spelled out in the "Termer:" reason
REASON_TERMS = 4
#: the largest contributions whose words are looked up (the rest cannot reach ``MAX_TERMS`` pairs)
EXPLAINED_PAIRS = MAX_TERMS * 3


def row(matrix: sp.csr_matrix, position: int) -> tuple[np.ndarray, np.ndarray]:
    """(feature ids, values) of one row of a CSR matrix, without building a matrix object."""
    start, end = matrix.indptr[position], matrix.indptr[position + 1]
    return matrix.indices[start:end], matrix.data[start:end]


def contributions(query: tuple[np.ndarray, np.ndarray], doc: tuple[np.ndarray, np.ndarray]) -> list[tuple[int, float]]:
    """(feature id, q·d contribution) for the features both rows share, largest first."""
    common, qi, di = np.intersect1d(query[0], doc[0], assume_unique=True, return_indices=True)
    values = query[1][qi] * doc[1][di]
    order = np.argsort(-values, kind="stable")
    return [(int(common[i]), float(values[i])) for i in order]


def contributions_many(
    query: tuple[np.ndarray, np.ndarray], matrix: sp.csr_matrix, positions: Sequence[int]
) -> list[list[tuple[int, float]]]:
    """:func:`contributions` of one query row and each of the rows ``positions`` of ``matrix`` (the same
    lists, the same float32 products, in the same order), in a few array operations for all of them."""
    if not len(positions):
        return []
    rows = matrix[np.asarray(positions)]
    ids = rows.indices
    owner = np.repeat(np.arange(len(positions)), np.diff(rows.indptr))
    by_id = np.argsort(query[0], kind="stable")
    query_ids, query_values = query[0][by_id], query[1][by_id]
    if not len(query_ids):
        return [[] for _ in positions]
    slot = np.minimum(np.searchsorted(query_ids, ids), len(query_ids) - 1)
    shared = query_ids[slot] == ids
    features, owner = ids[shared], owner[shared]
    values = query_values[slot[shared]] * rows.data[shared]
    # per row: largest first, ties by feature id (as the stable sort of the intersection does)
    order = np.lexsort((features, -values, owner))
    features_out, values_out = features[order].tolist(), values[order].tolist()
    ends = np.cumsum(np.bincount(owner, minlength=len(positions))).tolist()
    out, start = [], 0
    for end in ends:
        out.append(list(zip(features_out[start:end], values_out[start:end], strict=True)))
        start = end
    return out


def term_pairs(
    index: CallIndex,
    query: tuple[np.ndarray, np.ndarray],
    doc_position: int,
    profile_surfaces: dict[str, str],
    origins: dict[int, int] | None = None,
    parts: list[tuple[int, float]] | None = None,
) -> list[dict[str, Any]]:
    """The words that made a call match a priority row: [{"term", "call_term", "weight"}], largest first.

    ``parts``: the row's :func:`contributions` when already computed (:func:`contributions_many`)."""
    if parts is None:
        parts = contributions(query, row(index.matrix, doc_position))
    total = sum(c for _, c in parts)
    if total <= 0:
        return []
    names = index.features
    wanted = {names[f] for f, _ in parts[:EXPLAINED_PAIRS]}
    # "" (not spelled out in the call) and absent both fall back to the feature's display name
    call_surfaces = index.known_surfaces(doc_position, wanted)
    origins = origins or {}
    merged: dict[tuple[str, str], float] = {}
    for feature_id, contribution in parts[:EXPLAINED_PAIRS]:
        source = names[origins.get(feature_id, feature_id)]
        name = names[feature_id]
        term = profile_surfaces.get(source) or _display(index, source)
        call_term = call_surfaces.get(name) or _display(index, name)
        key = (term, call_term)
        merged[key] = merged.get(key, 0.0) + contribution
    pairs = _fold(sorted(merged.items(), key=lambda item: -item[1]))
    out = []
    for (term, call_term), contribution in pairs:
        share = contribution / total
        if share < MIN_SHARE or len(out) >= MAX_TERMS:
            break
        out.append({"term": term, "call_term": call_term, "weight": round(float(share), 3)})
    return out


@lru_cache(maxsize=1 << 16)
def _term_shape(term: str) -> tuple[int, int, str, tuple[str, ...] | None]:
    """A profile-side term as :func:`_fold` compares it: its word count and length (what sorts wholes
    first), casefolded, and its casefolded words when it is a phrase."""
    low = term.casefold()
    return len(term.split()), len(term), low, tuple(low.split()) if " " in low else None


@lru_cache(maxsize=1 << 16)
def _call_shape(call_term: str) -> tuple[str, tuple[str, ...]]:
    low = call_term.casefold()
    return low, tuple(low.split())


def _fold(pairs: list[tuple[tuple[str, str], float]]) -> list[tuple[tuple[str, str], float]]:
    """One line per match people would call one match: the parts of a compound or a phrase are added
    to the whole ("vatten" and "vård" to "vattenvård ↔ vattenvårdsprojekt"; "biologisk" and "mångfald"
    to "biologisk mångfald")."""
    if len(pairs) < 2:
        return list(pairs)
    # wholes first (phrases, then longer words), so that their parts find them
    shaped = []
    for (term, call_term), weight in pairs:
        words_count, length, low_term, term_words = _term_shape(term)
        shaped.append(((-words_count, -length, -weight), (term, call_term), weight, low_term, term_words, call_term))
    shaped.sort(key=itemgetter(0))
    kept: list[list] = []
    #: per kept entry: its call term casefolded, its casefolded term's words when it is a phrase, the call term's words
    keys: list[tuple[str, tuple[str, ...] | None, tuple[str, ...]]] = []
    for _, pair, weight, low_term, term_words, call_term in shaped:
        low_call, call_words = _call_shape(call_term)
        home = None
        for entry, (big_call, big_term_words, big_call_words) in zip(kept, keys, strict=True):
            same_call_word = low_call == big_call and low_term in big_call
            inside_phrase = (
                big_term_words is not None
                and low_term in big_term_words
                and all(w in big_call_words for w in call_words)
            )
            if same_call_word or inside_phrase:
                home = entry
                break
        if home is None:
            kept.append([pair, weight])
            keys.append((low_call, term_words, call_words))
        else:
            home[1] += weight
    kept.sort(key=lambda entry: -entry[1])
    return [(pair, weight) for pair, weight in kept]


def _display(index: CallIndex, feature: str) -> str:
    if feature.startswith(CONCEPT_PREFIX):
        concept = feature[len(CONCEPT_PREFIX) :]
        if concept in index.analyzer.res.glossary.concepts:
            return index.analyzer.res.glossary.names(concept)[0]
        return concept
    return feature


def terms_reason(terms: Sequence[dict[str, Any]]) -> str:
    """ "Termer: övergödning ↔ eutrophication, kustvatten" (a pair is written once when both sides agree)."""
    shown = []
    for t in terms[:REASON_TERMS]:
        same = t["term"].casefold() == t["call_term"].casefold()
        shown.append(t["term"] if same else f"{t['term']} ↔ {t['call_term']}")
    return "Termer: " + ", ".join(shown) if shown else ""
