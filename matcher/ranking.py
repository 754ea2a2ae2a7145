"""Ranking calls for profiles: cosine similarity per priority, eligibility, preferences and feedback.

For each call and profile: the TF-IDF cosine between the call and each priority, times the priority's
relative weight (its weight divided by the profile's largest), the best of these, times the
eligibility factor (``matcher.eligibility``), times 0.25 when the call contains one of the profile's
``exclude`` terms, times 1.15 for a favoured funder or programme, then mapped to a 0–1 score
(:func:`calibrate`). Feedback moves each priority vector towards the calls marked relevant and away
from those marked not relevant (Rocchio), and calls marked not relevant are never returned.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from matcher.eligibility import assess
from matcher.explain import term_pairs, terms_reason
from matcher.index import PRIORITY_FIELDS, CallIndex
from matcher.model import CallId, CallText, Scored
from matcher.profiles import Priority, Profile
from matcher.text import detect_language

#: factor for a call containing one of the profile's ``exclude`` terms
EXCLUDED = 0.25
#: factor for a favoured funder or programme
FAVOURED = 1.15
#: Rocchio weights: towards relevant calls, away from calls marked not relevant
ROCCHIO_BETA = 0.75
ROCCHIO_GAMMA = 0.25
#: similarity of spelling (cosine of character 3- and 4-grams) for a fuzzy expansion
FUZZY_THRESHOLD = 0.6
#: raw similarity that maps to a score of 1 - 1/e (about 0.63); see :func:`calibrate`
SCALE = 0.25
RELEVANT, NOT_RELEVANT = "relevant", "not_relevant"
Feedback = Mapping[CallId, str]


def calibrate(raw: np.ndarray | float) -> np.ndarray | float:
    """Map a (weighted, adjusted) cosine to 0–1: ``1 - exp(-raw / SCALE)``; monotone, so ranks keep."""
    if isinstance(raw, np.ndarray):
        return 1.0 - np.exp(-np.maximum(raw, 0.0) / SCALE)
    return 1.0 - math.exp(-max(raw, 0.0) / SCALE)


def priority_parts(priority: Priority) -> list[tuple[str, float]]:
    texts = {"title": priority.title, "keywords": "\n".join(priority.keywords), "text": priority.text}
    return [(texts[name], weight) for name, weight in PRIORITY_FIELDS if texts[name]]


def profile_language(profile: Profile) -> str:
    text = "\n".join(f"{p.title}\n{p.text}" for p in profile.priorities)
    return detect_language(text)


@dataclass
class ProfileModel:
    """A profile's priority vectors against one CallIndex."""

    profile: Profile
    index: CallIndex
    matrix: sp.csr_matrix
    weights: np.ndarray
    lang: str
    #: per priority: expanded feature id -> the profile feature it came from
    origins: list[dict[int, int]] = field(default_factory=list)
    #: character n-gram rows (when the method uses them)
    chars: sp.csr_matrix | None = None
    _surfaces: dict[int, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def build(cls, profile: Profile, index: CallIndex) -> ProfileModel:
        lang = profile_language(profile)
        rows, origins, char_rows = [], [], []
        for priority in profile.priorities:
            row = index.vectorise(priority_parts(priority), lang)
            origin: dict[int, int] = {}
            if index.method.fuzzy > 0:
                row, origin = _expand(index, row)
            rows.append(row)
            origins.append(origin)
            char_row = index.vectorise_chars(priority_parts(priority), lang)
            if char_row is not None:
                char_rows.append(char_row)
        width = len(index.idf)
        matrix = sp.vstack(rows, format="csr") if rows else sp.csr_matrix((0, width), dtype=np.float32)
        chars = sp.vstack(char_rows, format="csr") if char_rows else None
        weights = np.array([p.weight for p in profile.priorities], dtype=np.float32)
        if len(weights):
            weights = weights / weights.max()
        return cls(profile, index, matrix, weights, lang, origins, chars)

    def surfaces(self, priority: int) -> dict[str, str]:
        """feature -> the profile's own word for it (keywords first, then title, then text)."""
        if priority not in self._surfaces:
            p = self.profile.priorities[priority]
            found: dict[str, str] = {}
            for text in (*p.keywords, p.title, p.text):
                for feature, surface in self.index.analyzer.surfaces(text, self.lang, parts=True).items():
                    found.setdefault(feature, surface)
            self._surfaces[priority] = found
        return self._surfaces[priority]

    def raw_scores(self, matrix: sp.csr_matrix | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(best weighted cosine, index of that priority) for every call of the index."""
        n = self.index.matrix.shape[0]
        m = self.matrix if matrix is None else matrix
        if m.shape[0] == 0 or n == 0:
            return np.zeros(n, dtype=np.float32), np.zeros(n, dtype=np.int32)
        sims = (self.index.matrix @ m.T).toarray()
        share = self.index.method.char_ngrams
        if share > 0 and self.chars is not None and self.index.chars is not None:
            sims = (1 - share) * sims + share * (self.index.chars[2] @ self.chars.T).toarray()
        coord = self.index.method.coordination
        if coord > 0:
            shared = (_binary(self.index.matrix) @ _binary(m).T).toarray()
            sims = sims * np.minimum(1.0, shared / coord) ** 0.5
        sims = sims * self.weights[np.newaxis, :]
        best = sims.argmax(axis=1).astype(np.int32)
        return sims[np.arange(n), best].astype(np.float32), best

    def with_feedback(self, feedback: Feedback | None) -> ProfileModel:
        """Rocchio: each priority moves towards the relevant calls it serves best, away from rejected ones."""
        if not feedback:
            return self
        positions = {
            v: [self.index.position[c] for c, x in feedback.items() if x == v and c in self.index.position]
            for v in (RELEVANT, NOT_RELEVANT)
        }
        if not positions[RELEVANT] and not positions[NOT_RELEVANT]:
            return self
        dense = self.matrix.toarray()
        docs = self.index.matrix
        for verdict, factor in ((RELEVANT, ROCCHIO_BETA), (NOT_RELEVANT, -ROCCHIO_GAMMA)):
            rows = positions[verdict]
            if not rows:
                continue
            sims = (docs[rows] @ self.matrix.T).toarray()
            owners = sims.argmax(axis=1)
            for priority in range(dense.shape[0]):
                mine = [r for r, o in zip(rows, owners, strict=True) if o == priority]
                if mine:
                    dense[priority] += factor * np.asarray(docs[mine].mean(axis=0)).ravel()
        dense = np.maximum(dense, 0.0)
        norms = np.linalg.norm(dense, axis=1)
        norms[norms == 0] = 1.0
        matrix = sp.csr_matrix((dense / norms[:, np.newaxis]).astype(np.float32))
        return ProfileModel(
            self.profile, self.index, matrix, self.weights, self.lang, self.origins, self.chars, self._surfaces
        )


def _binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    out = matrix.copy()
    out.data = np.ones_like(out.data)
    return out


def _expand(index: CallIndex, row: sp.csr_matrix) -> tuple[sp.csr_matrix, dict[int, int]]:
    """Add call-vocabulary words spelled like the priority's words, weighted by similarity × ``fuzzy``."""
    weights = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
    added: dict[int, float] = {}
    origin: dict[int, int] = {}
    for fid, found in index.neighbours(list(weights), FUZZY_THRESHOLD).items():
        for neighbour, similarity in found:
            if neighbour in weights:
                continue
            value = weights[fid] * similarity * index.method.fuzzy * float(index.idf[neighbour] / index.idf[fid])
            if value > added.get(neighbour, 0.0):
                added[neighbour] = value
                origin[neighbour] = fid
    if not added:
        return row, {}
    weights.update(added)
    ids = np.fromiter(weights.keys(), dtype=np.int32)
    data = np.fromiter(weights.values(), dtype=np.float32)
    data /= np.linalg.norm(data)
    expanded = sp.csr_matrix((data, (np.zeros(len(ids), dtype=np.int32), ids)), shape=row.shape)
    return expanded, origin


def _matches(needle: str, haystack: str) -> bool:
    return bool(needle) and needle.casefold() in haystack.casefold()


def _exclude_hits(model: ProfileModel) -> dict[int, str]:
    """call position -> the first ``exclude`` term it contains (as a word or the start of one)."""
    hits: dict[int, str] = {}
    for term in model.profile.exclude:
        for position in model.index.containing(term):
            hits.setdefault(position, term)
    return hits


@dataclass
class _Adjust:
    factor: float = 1.0
    reasons: list[str] = field(default_factory=list)
    dropped: bool = False


def _adjustments(model: ProfileModel, feedback: Feedback | None, statuses: Collection[str] | None) -> list[_Adjust]:
    profile = model.profile
    applicant = getattr(profile, "applicant", "kommun") or "kommun"
    excluded = _exclude_hits(model)
    out = []
    for position, call in enumerate(model.index.calls):
        adjust = _Adjust()
        verdict = (feedback or {}).get(call.id)
        if (
            verdict == NOT_RELEVANT
            or (statuses is not None and call.status not in statuses)
            or call.source in profile.ignore_sources
            or any(_matches(f, call.funder) for f in profile.ignore_funders)
            or any(_matches(p, call.programme) for p in getattr(profile, "ignore_programmes", ()))
        ):
            adjust.dropped = True
            out.append(adjust)
            continue
        eligibility = assess(call, applicant) if model.index.method.eligibility else None
        if eligibility is not None and eligibility.factor < 1:
            adjust.factor *= eligibility.factor
            adjust.reasons.append(eligibility.reason)
        if position in excluded:
            adjust.factor *= EXCLUDED
            adjust.reasons.append(f"Nedprioriterad: innehåller ”{excluded[position]}”")
        favoured = next((f for f in profile.favour_funders if _matches(f, call.funder)), None)
        favoured = favoured or next(
            (p for p in getattr(profile, "favour_programmes", ()) if _matches(p, call.programme)), None
        )
        if favoured:
            adjust.factor *= FAVOURED
            adjust.reasons.append(f"Prioriterad finansiär eller program: {favoured}")
        if verdict == RELEVANT:
            adjust.reasons.append("Markerad som relevant")
        out.append(adjust)
    return out


def score_profile(
    model: ProfileModel,
    feedback: Feedback | None = None,
    statuses: Collection[str] | None = None,
    limit: int | None = None,
    min_score: float = 0.0,
    explain: bool = True,
) -> list[Scored]:
    """Rank the index's calls for one profile model, best first."""
    tuned = model.with_feedback(feedback)
    raw, best = tuned.raw_scores()
    base_raw = model.raw_scores()[0] if tuned is not model else raw
    adjustments = _adjustments(model, feedback, statuses)
    factors = np.array([a.factor for a in adjustments], dtype=np.float32)
    dropped = np.array([a.dropped for a in adjustments], dtype=bool)
    scores = np.minimum(calibrate(raw * factors), 1.0)
    keep = (~dropped) & (raw > 0) & (scores >= min_score)
    for position, adjust in enumerate(adjustments):
        if not adjust.dropped and "Markerad som relevant" in adjust.reasons:
            keep[position] = True
    candidates = np.flatnonzero(keep)
    order = candidates[np.lexsort((candidates, -scores[candidates]))]
    if limit:
        order = order[:limit]
    out = []
    for position in order.tolist():
        priority_index = int(best[position])
        scored = Scored(call_id=model.index.calls[position].id, score=round(float(scores[position]), 4))
        if explain and model.profile.priorities:
            priority = model.profile.priorities[priority_index]
            scored.priority = priority.title
            terms = term_pairs(
                model.index,
                tuned.matrix[priority_index],
                position,
                model.surfaces(priority_index),
                model.origins[priority_index] if model.origins else None,
            )
            scored.terms = terms
            reasons = [f"Prioritering: {priority.title}"]
            if terms:
                reasons.append(terms_reason(terms))
            if tuned is not model and raw[position] > base_raw[position] * 1.1 + 0.005:
                reasons.append("Liknar utlysningar ni markerat som relevanta")
            reasons.extend(adjustments[position].reasons)
            scored.reasons = reasons
        out.append(scored)
    return out


def index_of(calls: Sequence[CallText] | CallIndex) -> CallIndex:
    return calls if isinstance(calls, CallIndex) else CallIndex.build(calls)


def rank(
    profile: Profile,
    calls: Sequence[CallText] | CallIndex,
    feedback: Feedback | None = None,
    *,
    limit: int | None = None,
    statuses: Collection[str] | None = None,
    min_score: float = 0.0,
) -> list[Scored]:
    """Calls for ``profile``, best first (see the module docstring for how scores are made).

    ``calls`` is a list of :class:`CallText` or a prebuilt :class:`CallIndex` (build one index and
    reuse it for many profiles). ``feedback`` maps call ids to ``relevant``/``not_relevant``.
    ``statuses`` keeps only calls with those statuses; calls scoring 0 are left out.
    """
    index = index_of(calls)
    return score_profile(ProfileModel.build(profile, index), feedback, statuses, limit, min_score)


def rank_all(
    profiles: Sequence[Profile],
    calls: Sequence[CallText] | CallIndex,
    feedback: Mapping[str, Feedback] | None = None,
    *,
    limit: int | None = None,
    statuses: Collection[str] | None = None,
    min_score: float = 0.0,
) -> dict[str, list[Scored]]:
    """:func:`rank` for many profiles over one shared index: profile id -> results."""
    index = index_of(calls)
    return {
        p.id: score_profile(ProfileModel.build(p, index), (feedback or {}).get(p.id), statuses, limit, min_score)
        for p in profiles
    }


def similar(call_id: CallId, calls: Sequence[CallText] | CallIndex, k: int = 5) -> list[tuple[CallId, float]]:
    """The ``k`` calls most like ``call_id`` (cosine of their TF-IDF vectors), best first."""
    index = index_of(calls)
    position = index.position.get(call_id)
    if position is None:
        raise KeyError(f"call {call_id!r} is not in the index")
    sims = (index.matrix @ index.matrix[position].T).toarray().ravel()
    sims[position] = -1.0
    order = [i for i in np.argsort(-sims, kind="stable")[:k] if sims[i] > 0]
    return [(index.calls[i].id, round(float(sims[i]), 4)) for i in order]


def threshold(profile: Profile, default: float) -> float:
    """The score a match needs to be sent in a digest: the profile's ``min_score``, else ``default``."""
    return profile.min_score if profile.min_score is not None else default
