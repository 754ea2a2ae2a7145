"""Previews: how an edited profile, or the feedback given, changes a profile's top list."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from matcher.index import CallIndex
from matcher.model import CallText, Moved, Preview, Scored
from matcher.profiles import Profile
from matcher.ranking import Feedback, index_of, rank


def diff(before: Sequence[Scored], after: Sequence[Scored], limit: int | None = None) -> Preview:
    """Compare two top lists (best first): which calls entered, left and moved (1-based ranks)."""
    old = list(before[:limit] if limit else before)
    new = list(after[:limit] if limit else after)
    old_rank = {s.call_id: i + 1 for i, s in enumerate(old)}
    new_rank = {s.call_id: i + 1 for i, s in enumerate(new)}
    entered = [s for s in new if s.call_id not in old_rank]
    left = [s for s in old if s.call_id not in new_rank]
    moved = [
        Moved(s.call_id, old_rank[s.call_id], new_rank[s.call_id], s)
        for s in new
        if s.call_id in old_rank and old_rank[s.call_id] != new_rank[s.call_id]
    ]
    return Preview(before=old, after=new, entered=entered, left=left, moved=moved)


def preview(
    saved: Profile,
    edited: Profile,
    calls: Sequence[CallText] | CallIndex,
    feedback: Feedback | None = None,
    limit: int = 20,
    statuses: Collection[str] | None = None,
) -> Preview:
    """The saved profile's top ``limit`` against the edited one's (same calls, same feedback)."""
    index = index_of(calls)
    before = rank(saved, index, feedback, limit=limit, statuses=statuses)
    after = rank(edited, index, feedback, limit=limit, statuses=statuses)
    return diff(before, after, limit)


def feedback_effect(
    profile: Profile,
    calls: Sequence[CallText] | CallIndex,
    feedback: Feedback,
    limit: int = 20,
    statuses: Collection[str] | None = None,
) -> Preview:
    """The top ``limit`` without any feedback against the one with it: what the marks changed."""
    index = index_of(calls)
    before = rank(profile, index, None, limit=limit, statuses=statuses)
    after = rank(profile, index, feedback, limit=limit, statuses=statuses)
    return diff(before, after, limit)
