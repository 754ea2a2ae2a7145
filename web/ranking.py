"""The matcher as the Profilverkstad and the call page use it: one TF-IDF index of the open calls, kept
while they do not change, for the profile preview and for "similar calls"."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from matcher import CallIndex, CallText, Moved, Profile, Scored, diff, rank
from matcher import preview as matcher_preview
from matcher import similar as matcher_similar

#: the key under which the index of open calls is kept in a per-process cache
INDEX_CACHE_KEY = "open_calls_index"


@dataclass(frozen=True)
class RankedItem:
    call_id: int
    score: float
    #: 1-based place in the edited profile's list (None for a call that left it)
    rank: int | None = None
    #: 1-based place in the saved profile's list (for calls that left or moved)
    old_rank: int | None = None


@dataclass
class PreviewView:
    """What the workshop shows: both top lists and what entered, left and moved."""

    saved_top: list[RankedItem] = field(default_factory=list)
    edited_top: list[RankedItem] = field(default_factory=list)
    entered: list[RankedItem] = field(default_factory=list)
    left: list[RankedItem] = field(default_factory=list)
    moved: list[RankedItem] = field(default_factory=list)

    def call_ids(self) -> set[int]:
        ids: set[int] = set()
        for items in (self.saved_top, self.edited_top, self.entered, self.left, self.moved):
            ids.update(item.call_id for item in items)
        return ids


def open_calls_index(load_calls: Callable[[], Sequence[Any]], key: Hashable, cache: dict | None = None) -> CallIndex:
    """The TF-IDF index of the open calls, built once and kept in ``cache`` while ``key`` (the open calls'
    count and last change) stays the same, so a page does not re-read and re-vectorise every call."""
    cached = cache.get(INDEX_CACHE_KEY) if cache is not None else None
    if cached is not None and cached[0] == key:
        return cached[1]
    index = CallIndex.build([CallText.from_record(call) for call in load_calls()])
    if cache is not None:
        cache[INDEX_CACHE_KEY] = (key, index)
    return index


def preview(
    saved: Profile | None,
    edited: Profile,
    index: CallIndex,
    feedback: Mapping[int, str] | None = None,
    limit: int = 20,
) -> PreviewView:
    """The saved profile's top ``limit`` beside the edited one's; a new profile (nothing saved yet) has an
    empty saved list, so every call of the edited list "enters"."""
    if saved is None:
        result = diff([], rank(edited, index, feedback, limit=limit), limit)
    else:
        result = matcher_preview(saved, edited, index, feedback=feedback, limit=limit)
    new_rank = {s.call_id: place for place, s in enumerate(result.after, 1)}
    old_rank = {s.call_id: place for place, s in enumerate(result.before, 1)}

    def item(scored: Scored) -> RankedItem:
        return RankedItem(
            call_id=int(scored.call_id),
            score=float(scored.score),
            rank=new_rank.get(scored.call_id),
            old_rank=old_rank.get(scored.call_id),
        )

    def moved(entry: Moved) -> RankedItem:
        return RankedItem(int(entry.call_id), float(entry.scored.score), entry.new_rank, entry.old_rank)

    return PreviewView(
        saved_top=[item(s) for s in result.before],
        edited_top=[item(s) for s in result.after],
        entered=[item(s) for s in result.entered],
        left=[RankedItem(int(s.call_id), float(s.score), None, old_rank[s.call_id]) for s in result.left],
        moved=[moved(m) for m in result.moved],
    )


def similar(call_id: int, index: CallIndex, k: int = 5) -> list[tuple[int, float]]:
    """[(call id, score), ...] of the open calls most like ``call_id``; none for a call not in the index
    (a closed call)."""
    if call_id not in index.position:
        return []
    return [(int(cid), float(score)) for cid, score in matcher_similar(call_id, index, k=k) if int(cid) != call_id]
