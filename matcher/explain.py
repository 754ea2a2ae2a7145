"""Explanations: which priority a call served and which words (the profile's and the call's) matched."""

from __future__ import annotations

from collections.abc import Sequence
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


def term_pairs(
    index: CallIndex,
    query: tuple[np.ndarray, np.ndarray],
    doc_position: int,
    profile_surfaces: dict[str, str],
    origins: dict[int, int] | None = None,
) -> list[dict[str, Any]]:
    """The words that made a call match a priority row: [{"term", "call_term", "weight"}], largest first."""
    parts = contributions(query, row(index.matrix, doc_position))
    total = sum(c for _, c in parts)
    if total <= 0:
        return []
    names = index.features
    wanted = {names[f] for f, _ in parts[: MAX_TERMS * 3]}
    call_surfaces = index.surfaces_of(doc_position, wanted)
    merged: dict[tuple[str, str], float] = {}
    for feature_id, contribution in parts[: MAX_TERMS * 3]:
        source = names[(origins or {}).get(feature_id, feature_id)]
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


def _fold(pairs: list[tuple[tuple[str, str], float]]) -> list[tuple[tuple[str, str], float]]:
    """One line per match people would call one match: the parts of a compound or a phrase are added
    to the whole ("vatten" and "vård" to "vattenvård ↔ vattenvårdsprojekt"; "biologisk" and "mångfald"
    to "biologisk mångfald")."""
    kept: list[list] = []
    # wholes first (phrases, then longer words), so that their parts find them
    for (term, call_term), weight in sorted(pairs, key=lambda p: (-len(p[0][0].split()), -len(p[0][0]), -p[1])):
        low_term, low_call = term.casefold(), call_term.casefold()
        home = None
        for entry in kept:
            (big_term, big_call) = entry[0]
            big_term, big_call = big_term.casefold(), big_call.casefold()
            same_call_word = low_call == big_call and low_term in big_call
            inside_phrase = (
                " " in big_term
                and low_term in big_term.split()
                and all(w in big_call.split() for w in low_call.split())
            )
            if same_call_word or inside_phrase:
                home = entry
                break
        if home is None:
            kept.append([(term, call_term), weight])
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
