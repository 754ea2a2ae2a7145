"""The matcher functions the Profilverkstad and the call page use, behind one small seam.

``matcher.preview`` (the ranking of an edited profile beside the saved one) and ``matcher.similar``
(calls most like one call, by the TF-IDF index) come from the matcher. They are imported when first
used; while they are missing the pages say so in Swedish instead of showing anything made up.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

UNAVAILABLE = "Förhandsvisning är inte tillgänglig ännu: matchningsmotorn saknar den funktionen i den här versionen."
SIMILAR_UNAVAILABLE = "Liknande utlysningar är inte tillgängliga ännu: matchningsmotorn saknar den funktionen."


@dataclass(frozen=True)
class RankedItem:
    call_id: int
    score: float
    rank: int | None = None
    old_rank: int | None = None


@dataclass
class PreviewView:
    """What the workshop shows: both top lists and what entered, left and moved."""

    available: bool
    notice: str = ""
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


def _matcher_function(name: str):
    try:
        module = importlib.import_module("matcher")
    except ImportError:
        return None
    return getattr(module, name, None)


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


def _item(value: Any) -> RankedItem:
    """A ranked entry from the matcher: a (call_id, score) pair or an object/dict with those fields."""
    if isinstance(value, tuple | list):
        return RankedItem(call_id=int(value[0]), score=float(value[1]) if len(value) > 1 else 0.0)
    return RankedItem(
        call_id=int(_get(value, "call_id", "id")),
        score=float(_get(value, "score", default=0.0) or 0.0),
        rank=_get(value, "rank", "new_rank"),
        old_rank=_get(value, "old_rank", "previous_rank"),
    )


def _items(values: Any) -> list[RankedItem]:
    return [_item(v) for v in (values or [])]


def preview(
    saved, edited, calls: Sequence[Any], feedback: dict[int, str] | None = None, limit: int = 20
) -> PreviewView:
    function = _matcher_function("preview")
    if function is None:
        return PreviewView(available=False, notice=UNAVAILABLE)
    result = function(saved, edited, calls, feedback=feedback, limit=limit)
    return PreviewView(
        available=True,
        saved_top=_items(_get(result, "saved_top", "before", "saved")),
        edited_top=_items(_get(result, "edited_top", "after", "edited")),
        entered=_items(_get(result, "entered")),
        left=_items(_get(result, "left")),
        moved=_items(_get(result, "moved")),
    )


def similar(
    call_id: int, load_calls: Callable[[], Sequence[Any]], cache: dict | None = None, key: Any = None, k: int = 5
) -> tuple[bool, list[tuple[int, float]]]:
    """(available, [(call id, score), ...]) of the open calls most like ``call_id``.

    The TF-IDF index over the open calls is built once and kept in ``cache`` while ``key`` (the open
    calls' count and last change) stays the same, so a call page does not re-read every call.
    """
    function = _matcher_function("similar")
    if function is None:
        return False, []
    from matcher import CallIndex, CallText

    cached = cache.get("similar_index") if cache is not None else None
    if cached is not None and cached[0] == key:
        index = cached[1]
    else:
        index = CallIndex.build([CallText.from_record(c) for c in load_calls()])
        if cache is not None:
            cache["similar_index"] = (key, index)
    try:
        found = function(call_id, index, k=k)
    except KeyError:  # a closed call is not in the index of open calls
        return True, []
    return True, [(int(cid), float(score)) for cid, score in found if int(cid) != call_id]
