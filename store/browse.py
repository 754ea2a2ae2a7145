"""Read-only queries behind the web pages: calls with their matches and feedback, and source run history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from store.models import Call, Feedback, Match, ScrapeRun

#: run outcomes that count as a success for "last success"
OK_OUTCOMES = ("ok", "not_modified")


def get_call_by_id(session: Session, call_id: int) -> Call | None:
    return session.get(Call, call_id)


def calls_by_ids(session: Session, call_ids: Iterable[int]) -> dict[int, Call]:
    ids = sorted(set(call_ids))
    if not ids:
        return {}
    return {c.id: c for c in session.exec(select(Call).where(col(Call.id).in_(ids)))}


#: what a result list shows of each match; built once (a statement built per page costs more than running it)
_LISTED_MATCHES = (
    select(Match.call_id, Match.profile_id, Match.score)
    .where(col(Match.call_id).in_(bindparam("ids", expanding=True)))
    .order_by(col(Match.score).desc(), Match.profile_id)
)


def matches_for_calls(session: Session, call_ids: Iterable[int]) -> dict[int, list[Any]]:
    """call id -> its matches, best first (for showing matched administrations in result lists): rows of
    ``call_id``, ``profile_id`` and ``score``, without the explanation a list does not show."""
    ids = sorted(set(call_ids))
    out: dict[int, list[Any]] = {i: [] for i in ids}
    if not ids:
        return out
    for match in session.execute(_LISTED_MATCHES, {"ids": ids}):
        out[match.call_id].append(match)
    return out


def feedback_for_call(session: Session, call_id: int) -> dict[str, Feedback]:
    """profile id -> the feedback given on this call for that administration."""
    rows = session.exec(select(Feedback).where(Feedback.call_id == call_id))
    return {row.profile_id: row for row in rows}


def feedback_with_calls(session: Session, profile_id: str) -> list[tuple[Feedback, Call]]:
    """The feedback given for one administration, newest first, with the calls."""
    query = (
        select(Feedback, Call)
        .join(Call, Call.id == Feedback.call_id)
        .where(Feedback.profile_id == profile_id)
        .order_by(col(Feedback.created_at).desc(), col(Feedback.id).desc())
    )
    return list(session.exec(query))


def match_counts(session: Session) -> dict[str, int]:
    """profile id -> number of stored matches."""
    query = select(Match.profile_id, func.count()).group_by(Match.profile_id)
    return {profile_id: count for profile_id, count in session.exec(query)}


def open_calls(session: Session, statuses: Sequence[str] = ("open", "forthcoming")) -> list[Call]:
    """Calls that can still be applied for, in a stable order (what the matcher ranks)."""
    return list(session.exec(select(Call).where(col(Call.status).in_(list(statuses))).order_by(Call.id)))


def open_calls_version(session: Session, statuses: Sequence[str] = ("open", "forthcoming")) -> tuple:
    """A cheap fingerprint of the open calls (count, last change): changes whenever ``open_calls`` would."""
    query = select(func.count(), func.max(Call.updated_at), func.max(Call.id)).where(
        col(Call.status).in_(list(statuses))
    )
    return tuple(session.exec(query).one())


def run_history(session: Session, source: str, limit: int = 30) -> list[Any]:
    """A source's most recent runs, oldest first (for the chart over time)."""
    return run_histories(session, [source], limit)[source]


#: what a run history shows of each run (its error text is shown only for the latest failure)
HISTORY_COLUMNS = (
    ScrapeRun.id,
    ScrapeRun.source,
    ScrapeRun.started_at,
    ScrapeRun.finished_at,
    ScrapeRun.outcome,
    ScrapeRun.reason,
    ScrapeRun.fetched,
    ScrapeRun.parsed,
    ScrapeRun.new,
    ScrapeRun.updated,
    ScrapeRun.unchanged,
    ScrapeRun.errors,
)


def run_histories(session: Session, sources: Sequence[str], limit: int = 30) -> dict[str, list[Any]]:
    """source -> its most recent runs, oldest first, for many sources in one query: rows of
    :data:`HISTORY_COLUMNS` (a page of 20 sources shows 600 runs; rows cost a fraction of ORM objects)."""
    out: dict[str, list[Any]] = {source: [] for source in sources}
    if not out:
        return out
    place = func.row_number().over(partition_by=ScrapeRun.source, order_by=col(ScrapeRun.id).desc()).label("place")
    recent = select(ScrapeRun.id, place).where(col(ScrapeRun.source).in_(list(out))).subquery()
    query = (
        select(*HISTORY_COLUMNS)
        .join(recent, recent.c.id == ScrapeRun.id)
        .where(recent.c.place <= limit)
        .order_by(col(ScrapeRun.id))
    )
    for run in session.execute(query):
        out[run.source].append(run)
    return out


def last_success(session: Session) -> dict[str, datetime]:
    """source -> start of its latest successful run."""
    query = (
        select(ScrapeRun.source, func.max(ScrapeRun.started_at))
        .where(col(ScrapeRun.outcome).in_(OK_OUTCOMES))
        .group_by(ScrapeRun.source)
    )
    out = {}
    for source, started in session.exec(query):
        # max() over the UTC type comes back untyped on SQLite; read it through the column type
        out[source] = _as_utc(started)
    return out


def last_errors(session: Session) -> dict[str, ScrapeRun]:
    """source -> its latest failed run."""
    newest = (
        select(ScrapeRun.source, func.max(ScrapeRun.id).label("id"))
        .where(col(ScrapeRun.outcome).not_in(OK_OUTCOMES))
        .group_by(ScrapeRun.source)
        .subquery()
    )
    rows = session.exec(select(ScrapeRun).join(newest, ScrapeRun.id == newest.c.id))
    return {row.source: row for row in rows}


def _as_utc(value) -> datetime | None:
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
