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
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from matcher.adjust import NOT_RELEVANT, RELEVANT, Feedback, adjustments
from matcher.explain import EXPLAINED_PAIRS, contributions_many, row, term_pairs, terms_reason
from matcher.index import PRIORITY_FIELDS, CallIndex
from matcher.model import CallId, CallText, Scored
from matcher.profiles import Priority, Profile
from matcher.text import detect_language

#: Rocchio weights: towards relevant calls, away from calls marked not relevant
ROCCHIO_BETA = 0.75
ROCCHIO_GAMMA = 0.25
#: similarity of spelling (cosine of character 3- and 4-grams) for a fuzzy expansion
FUZZY_THRESHOLD = 0.6
#: raw similarity that maps to a score of 1 - 1/e (about 0.63); see :func:`calibrate`
SCALE = 0.25


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
        return cls.build_many([profile], index)[0]

    @classmethod
    def build_many(cls, profiles: Sequence[Profile], index: CallIndex) -> list[ProfileModel]:
        """Models for many profiles: every priority vectorised in one pass, spelling expansion in one
        pass. Models are kept with the vocabulary, so scoring newly arrived calls (an index made by
        :meth:`CallIndex.transform`) reuses them while the profile file is unchanged."""
        cache = index.shared.setdefault("models", {})
        out: list[ProfileModel | None] = []
        todo: list[tuple[int, Profile, str]] = []
        for profile in profiles:
            cached = cache.get((profile.id, profile.version, profile))
            out.append(cached.bound_to(index) if cached is not None else None)
            if cached is None:
                todo.append((len(out) - 1, profile, profile_language(profile)))
        for lang in sorted({lang for _, _, lang in todo}):
            batch = [(slot, p) for slot, p, lang_ in todo if lang_ == lang]
            parts = [priority_parts(pr) for _, p in batch for pr in p.priorities]
            matrix = index.vectorise_many(parts, lang)
            origins: list[dict[int, int]] = [{} for _ in parts]
            if index.method.fuzzy > 0 and matrix.shape[0]:
                matrix, origins = _expand(index, matrix)
            start = 0
            for slot, profile in batch:
                k = len(profile.priorities)
                chars = None
                if index.chars is not None and k:
                    chars = sp.vstack([index.vectorise_chars(p, lang) for p in parts[start : start + k]], format="csr")
                weights = np.array([p.weight for p in profile.priorities], dtype=np.float32)
                if k:
                    weights = weights / weights.max()
                model = cls(profile, index, matrix[start : start + k], weights, lang, origins[start : start + k], chars)
                cache[(profile.id, profile.version, profile)] = model
                out[slot] = model
                start += k
        return [m for m in out if m is not None]

    def bound_to(self, index: CallIndex) -> ProfileModel:
        """The same vectors against another index sharing the vocabulary (newly arrived calls)."""
        if index is self.index:
            return self
        return ProfileModel(
            self.profile, index, self.matrix, self.weights, self.lang, self.origins, self.chars, self._surfaces
        )

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
        """(best weighted similarity, index of that priority) for every call of the index."""
        m = self.matrix if matrix is None else matrix
        sims = _similarities(self.index, m, self.chars)
        return _best(sims, self.weights)

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


def _expand(index: CallIndex, matrix: sp.csr_matrix) -> tuple[sp.csr_matrix, list[dict[int, int]]]:
    """Add to each priority row the call-vocabulary words spelled like its words, weighted by
    similarity × ``fuzzy`` (and their IDF relative to the original's); rows are re-normalised."""
    found = index.neighbours(matrix.indices.tolist(), FUZZY_THRESHOLD)
    rows, origins = [], []
    for r in range(matrix.shape[0]):
        ids, data = row(matrix, r)
        weights = dict(zip(ids.tolist(), data.tolist(), strict=True))
        added: dict[int, float] = {}
        origin: dict[int, int] = {}
        for fid in ids.tolist():
            for neighbour, similarity in found.get(fid, ()):
                if neighbour in weights:
                    continue
                value = weights[fid] * similarity * index.method.fuzzy * float(index.idf[neighbour] / index.idf[fid])
                if value > added.get(neighbour, 0.0):
                    added[neighbour] = value
                    origin[neighbour] = fid
        weights.update(added)
        rows.append(weights)
        origins.append(origin)
    indptr = np.cumsum([0] + [len(w) for w in rows])
    indices = np.fromiter((k for w in rows for k in w), dtype=np.int32, count=int(indptr[-1]))
    data = np.fromiter((v for w in rows for v in w.values()), dtype=np.float32, count=int(indptr[-1]))
    expanded = sp.csr_matrix((data, indices, indptr), shape=matrix.shape)
    expanded.sort_indices()
    norms = np.sqrt(np.asarray(expanded.multiply(expanded).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).astype(np.float32) @ expanded), origins


def _similarities(index: CallIndex, priorities: sp.csr_matrix, chars: sp.csr_matrix | None) -> np.ndarray:
    """calls × priorities: cosine (with character n-grams and coordination when the method uses them)."""
    n = index.matrix.shape[0]
    if priorities.shape[0] == 0 or n == 0:
        return np.zeros((n, priorities.shape[0]), dtype=np.float32)
    sims = (index.matrix @ priorities.T).toarray()
    share = index.method.char_ngrams
    if share > 0 and chars is not None and index.chars is not None:
        sims = (1 - share) * sims + share * (index.chars[2] @ chars.T).toarray()
    if index.method.coordination > 0:
        shared = (index.binary @ _binary(priorities).T).toarray()
        sims *= np.sqrt(np.minimum(1.0, shared / index.method.coordination))
    return sims.astype(np.float32, copy=False)


def _best(sims: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = sims.shape[0]
    if sims.shape[1] == 0:
        return np.zeros(n, dtype=np.float32), np.zeros(n, dtype=np.int32)
    weighted = sims * weights[np.newaxis, :]
    best = weighted.argmax(axis=1).astype(np.int32)
    return weighted[np.arange(n), best].astype(np.float32), best


#: priorities scored together in one matrix product by :func:`rank_all`
_BATCH_PRIORITIES = 128


def _batch_raw(models: Sequence[ProfileModel], index: CallIndex) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """:meth:`ProfileModel.raw_scores` for many models, a few hundred priorities per matrix product; yielded
    one model at a time, so that only one batch's scores are held (not every profile's, at 300,000 calls
    × 3,000 profiles several GB)."""
    start = 0
    while start < len(models):
        end, size = start, 0
        while end < len(models) and (size == 0 or size + models[end].matrix.shape[0] <= _BATCH_PRIORITIES):
            size += models[end].matrix.shape[0]
            end += 1
        chunk = models[start:end]
        stacked = sp.vstack([m.matrix for m in chunk], format="csr")
        chars = [m.chars for m in chunk]
        char_stack = sp.vstack(chars, format="csr") if all(c is not None for c in chars) and chars else None
        sims = _similarities(index, stacked, char_stack)
        offset = 0
        for model in chunk:
            k = model.matrix.shape[0]
            yield _best(sims[:, offset : offset + k], model.weights)
            offset += k
        del sims
        start = end


@dataclass
class Selection:
    """One profile's returned calls before they are explained: what explaining them needs, and nothing
    the size of the index (so that :func:`rank_all` can hold every profile's until it explains them)."""

    model: ProfileModel
    tuned: ProfileModel
    #: positions of the returned calls, best first, with their scores and the priority each serves best
    order: np.ndarray
    scores: list[float]
    best: np.ndarray
    #: per returned call: moved up by the calls marked relevant (Rocchio)
    similar: list[bool]
    #: per returned call: the reasons of the adjustments (eligibility, exclusion, preference, feedback)
    adjusted: list[list[str]]

    def contributions(self) -> dict[int, list[tuple[int, float]]]:
        """position -> the (feature, contribution) pairs the call shares with the priority it serves best,
        a priority's calls at once."""
        parts: dict[int, list[tuple[int, float]]] = {}
        if not len(self.order):
            return parts
        for priority_index in np.unique(self.best).tolist():
            positions = self.order[self.best == priority_index]
            found = contributions_many(row(self.tuned.matrix, priority_index), self.model.index.matrix, positions)
            parts.update(zip(positions.tolist(), found, strict=True))
        return parts


def select(
    model: ProfileModel,
    feedback: Feedback | None = None,
    statuses: Collection[str] | None = None,
    limit: int | None = None,
    min_score: float = 0.0,
    raw_best: tuple[np.ndarray, np.ndarray] | None = None,
) -> Selection:
    """The calls :func:`score_profile` returns, best first, not yet explained."""
    tuned = model.with_feedback(feedback)
    if tuned is model and raw_best is not None:
        raw, best = raw_best
    else:
        raw, best = tuned.raw_scores()
    base_raw = model.raw_scores()[0] if tuned is not model else raw
    adjust = adjustments(model.index, model.profile, feedback, statuses)
    scores = np.minimum(calibrate(raw * adjust.factors), 1.0)
    keep = ((~adjust.dropped) & (raw > 0) & (scores >= min_score)) | adjust.kept
    candidates = np.flatnonzero(keep)
    if limit and len(candidates) > limit:
        # only the best ``limit`` need sorting: keep every call scoring at least the limit-th best score
        # (ties included), then sort those by score and position
        cut = np.partition(scores[candidates], len(candidates) - limit)[len(candidates) - limit]
        candidates = candidates[scores[candidates] >= cut]
    order = candidates[np.lexsort((candidates, -scores[candidates]))]
    if limit:
        order = order[:limit]
    positions = order.tolist()
    return Selection(
        model,
        tuned,
        order,
        [round(float(scores[p]), 4) for p in positions],
        best[order],
        [bool(tuned is not model and raw[p] > base_raw[p] * 1.1 + 0.005) for p in positions],
        [adjust.reasons(p) for p in positions],
    )


def explained(selection: Selection, explain: bool = True) -> list[Scored]:
    """A selection's calls as :class:`Scored`, with their explanations unless ``explain`` is false."""
    model, tuned = selection.model, selection.tuned
    explaining = explain and bool(model.profile.priorities)
    parts = selection.contributions() if explaining else {}
    out = []
    for i, position in enumerate(selection.order.tolist()):
        scored = Scored(call_id=model.index.calls[position].id, score=selection.scores[i])
        if explaining:
            priority_index = int(selection.best[i])
            priority = model.profile.priorities[priority_index]
            scored.priority = priority.title
            scored.terms = term_pairs(
                model.index,
                row(tuned.matrix, priority_index),
                position,
                model.surfaces(priority_index),
                model.origins[priority_index] if model.origins else None,
                parts[position],
            )
            reasons = [f"Prioritering: {priority.title}"]
            if scored.terms:
                reasons.append(terms_reason(scored.terms))
            if selection.similar[i]:
                reasons.append("Liknar utlysningar ni markerat som relevanta")
            reasons.extend(selection.adjusted[i])
            scored.reasons = reasons
        out.append(scored)
    return out


def score_profile(
    model: ProfileModel,
    feedback: Feedback | None = None,
    statuses: Collection[str] | None = None,
    limit: int | None = None,
    min_score: float = 0.0,
    explain: bool = True,
    raw_best: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[Scored]:
    """Rank the index's calls for one profile model, best first (``raw_best``: precomputed, no feedback)."""
    return explained(select(model, feedback, statuses, limit, min_score, raw_best), explain)


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
    """:func:`rank` for many profiles over one shared index: profile id -> results.

    Profiles without feedback are scored together, a few hundred priorities per matrix product. Every
    profile's calls are chosen first, then the words of the calls they share are read, one pass over each
    call's text for all profiles, and then explained (the same explanations as one profile at a time).
    """
    index = index_of(calls)
    models = ProfileModel.build_many(profiles, index)
    selections = [
        select(model, (feedback or {}).get(model.profile.id), statuses, limit, min_score, raw_best=raw)
        for model, raw in zip(models, _batch_raw(models, index), strict=True)
    ]
    # the call words every explanation will show, read once per call for every profile it is returned to
    wanted: dict[int, set[str]] = {}
    names = index.features
    for selection in selections:
        if selection.model.profile.priorities:
            for position, parts in selection.contributions().items():
                wanted.setdefault(position, set()).update(names[f] for f, _ in parts[:EXPLAINED_PAIRS])
    for position, features in wanted.items():
        index.surfaces_of(position, features)
    return {selection.model.profile.id: explained(selection) for selection in selections}


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
