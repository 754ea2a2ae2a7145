"""The matcher as the Profilverkstad and the call page use it: one TF-IDF index of the open calls per web
process, for the profile preview and for "similar calls"."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from matcher import CallIndex, CallText, Moved, Profile, Scored, diff, rank
from matcher import preview as matcher_preview
from matcher import similar as matcher_similar
from store.browse import open_calls, open_calls_version
from store.engine import read_session

log = logging.getLogger(__name__)

#: the key under which the index of open calls is kept in a per-process cache
INDEX_CACHE_KEY = "open_calls_index"
#: how often (seconds) a server process looks whether the open calls changed since its index was built
CHECK_SECONDS = 5.0


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


class OpenCallsIndex:
    """The TF-IDF index of the open calls, kept per web process.

    It is built once and kept while the open calls' fingerprint (count, last change) stays the same. When a
    scrape changes them, pages go on using the previous index while one background thread builds the new
    one, so no visitor waits for a rebuild (only the very first use in a process builds while waiting; the
    server warms it at start-up).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.key: Hashable = None
        self.index: CallIndex | None = None
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self.refresh: threading.Thread | None = None
        #: when the open calls' fingerprint was last read (monotonic seconds)
        self.checked_at = float("-inf")

    def get(self, wait: bool = True) -> CallIndex | None:
        """The index; before the first one is built, ``wait=False`` answers None at once (the build goes on in
        the background) where ``wait=True`` waits for it. The open calls' fingerprint is read at most every
        :data:`CHECK_SECONDS` (a call page would otherwise spend a query on it on every view)."""
        with self._lock:
            if self.index is not None and time.monotonic() - self.checked_at < CHECK_SECONDS:
                return self.index
        with read_session(self.engine) as db:
            key = open_calls_version(db)
        with self._lock:
            self.checked_at = time.monotonic()
            if self.index is not None and key == self.key:
                return self.index
            if self.index is not None or not wait:  # serve what there is; build the new one in the background
                if self.refresh is None or not self.refresh.is_alive():
                    self.refresh = threading.Thread(target=self._background, name="open-calls-index", daemon=True)
                    self.refresh.start()
                return self.index
        self._rebuild()
        return self.index

    def _background(self) -> None:
        try:
            self._rebuild()
        except Exception:
            log.exception("building the index of open calls failed")

    def _rebuild(self) -> None:
        with self._build_lock:  # one build at a time; a request that waited finds the index built
            with read_session(self.engine) as db:
                key = open_calls_version(db)
                if self.index is not None and key == self.key:
                    return
                calls = [CallText.from_record(call) for call in open_calls(db)]
            try:
                index = CallIndex.build(calls)
            except Exception:
                log.exception("building the index of %d open calls failed; the previous one stays", len(calls))
                if self.index is not None:
                    return
                raise
            with self._lock:
                self.key, self.index = key, index
                self.checked_at = time.monotonic()
            log.info("index of %d open calls built", len(calls))


def open_calls_index(engine: Engine, cache: dict, wait: bool = True) -> CallIndex | None:
    """This process's index of the open calls (see :class:`OpenCallsIndex`); None only with ``wait=False``
    while the first one is being built."""
    holder = cache.get(INDEX_CACHE_KEY)
    if holder is None:
        holder = cache.setdefault(INDEX_CACHE_KEY, OpenCallsIndex(engine))
    return holder.get(wait)


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
