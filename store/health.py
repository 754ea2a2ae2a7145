"""Queries on scrape runs: the facts source health is derived from."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from store.models import ScrapeRun


def latest_runs(session: Session) -> dict[str, ScrapeRun]:
    """The most recent run of each source."""
    newest = select(ScrapeRun.source, func.max(ScrapeRun.id).label("id")).group_by(ScrapeRun.source).subquery()
    rows = session.exec(select(ScrapeRun).join(newest, ScrapeRun.id == newest.c.id))
    return {row.source: row for row in rows}
