"""Duplicate groups in the store: ``call.group_key`` kept up to date, and a call's duplicates for the web UI.

:func:`refresh_groups` runs after each scrape and import: it groups the calls that are still current
(listed, and not closed more than ``CURRENT_DAYS`` ago) with :func:`store.duplicates.group_calls` and
writes the keys that changed. A call without a duplicate has no key. Older calls keep theirs (history).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from store.duplicates import Item, group_calls
from store.models import Call

#: calls whose final deadline passed less than this long ago still take part in grouping
CURRENT_DAYS = 60
_TEXT_CHARS = 20000


def refresh_groups(session: Session, now: datetime | None = None) -> int:
    """Recompute the duplicate groups of current calls; returns how many calls' keys changed."""
    now = now or datetime.now(UTC)
    since = now - timedelta(days=CURRENT_DAYS)
    query = select(
        Call.id,
        Call.source,
        Call.external_id,
        Call.title,
        Call.programme,
        Call.funder,
        Call.deadline_at,
        Call.summary,
        Call.description,
        Call.group_key,
    ).where(Call.listed == True, or_(col(Call.deadline_at).is_(None), col(Call.deadline_at) >= since))  # noqa: E712
    items, current = [], {}
    for row in session.exec(query):
        text = f"{row.summary}\n{row.description[:_TEXT_CHARS]}"
        items.append(
            Item(row.id, row.source, row.external_id, row.title, row.programme, row.funder, row.deadline_at, text)
        )
        current[row.id] = row.group_key
    keys = group_calls(items)
    changed: dict[str | None, list[int]] = {}
    for call_id, old in current.items():
        new = keys.get(call_id)
        if new != old:
            changed.setdefault(new, []).append(call_id)
    for key, ids in changed.items():
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            session.exec(update(Call).where(col(Call.id).in_(chunk)).values(group_key=key))
    session.flush()
    return sum(len(ids) for ids in changed.values())


def duplicates_of(session: Session, call_id: int) -> list[Call]:
    """The other calls in ``call_id``'s group (the same call at other sources), by source; none if it has none."""
    key = session.exec(select(Call.group_key).where(Call.id == call_id)).first()
    if not key:
        return []
    query = select(Call).where(Call.group_key == key, Call.id != call_id).order_by(Call.source, Call.id)
    return list(session.exec(query))


def group_members(session: Session, keys: Iterable[str | None]) -> dict[str, list[Call]]:
    """Every call of each group key, by source (for the digest: one entry per group, all links)."""
    wanted = sorted({k for k in keys if k})
    out: dict[str, list[Call]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(Call).where(col(Call.group_key).in_(chunk)).order_by(Call.source, Call.id)
        for call in session.exec(query):
            out.setdefault(call.group_key, []).append(call)
    return out
