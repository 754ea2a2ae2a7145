"""Queries on scrape runs: the facts source health is derived from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from store.models import ScrapeRun


def latest_runs(session: Session) -> dict[str, ScrapeRun]:
    """The most recent run of each source."""
    newest = select(ScrapeRun.source, func.max(ScrapeRun.id).label("id")).group_by(ScrapeRun.source).subquery()
    rows = session.exec(select(ScrapeRun).join(newest, ScrapeRun.id == newest.c.id))
    return {row.source: row for row in rows}


@dataclass(frozen=True)
class SourceHealth:
    """A source's state as shown to people (``fundwatch sources``, the Källor page, KLK's overview)."""

    name: str
    kind: str
    #: ok | unhealthy | stale | never_run | disabled
    state: str
    last_run_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_error: str = ""
    #: short reason code of the last failure (timeout, http_error, blocked, layout_changed, drop, ...)
    reason: str = ""
    consecutive_failures: int = 0
    last_count: int | None = None
    #: human-readable alerts, in Swedish where people read them ("Layout ändrad?", "Inga svar på 7 dagar")
    alerts: tuple[str, ...] = ()
