"""Queries on matches and feedback (both keyed by profile id and call)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, update
from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, select

from store.models import Call, Feedback, Match

VERDICTS = ("relevant", "not_relevant")
#: scores are stored rounded, so that recomputing the same ranking writes nothing
SCORE_DIGITS = 4


@dataclass(frozen=True)
class MatchRow:
    """One computed match, as the matcher hands it to the store."""

    call_id: int
    score: float
    #: {"priority": str, "reasons": [str], "terms": [{"term", "call_term", "weight"}]}
    explanation: dict[str, Any]


@dataclass
class ReplaceResult:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def matches_for_profile(
    session: Session, profile_id: str, limit: int | None = None, include_rejected: bool = False
) -> list[tuple[Match, Call]]:
    """A profile's stored matches with their calls, best first.

    Calls the administration marked not relevant are left out unless ``include_rejected``.
    """
    query = (
        select(Match, Call)
        .join(Call, Call.id == Match.call_id)
        .where(Match.profile_id == profile_id)
        .order_by(col(Match.score).desc(), Call.id)
    )
    if not include_rejected:
        rejected = select(Feedback.call_id).where(Feedback.profile_id == profile_id, Feedback.verdict == "not_relevant")
        query = query.where(col(Match.call_id).not_in(rejected))
    if limit:
        query = query.limit(limit)
    return list(session.exec(query))


@dataclass(frozen=True)
class MatchedDeadlines:
    """What a calendar feed needs of one matched call (not its texts)."""

    call_id: int
    title: str
    url: str
    funder: str
    deadlines: list[str]


def matched_deadlines(session: Session, profile_id: str, since: datetime | None = None) -> list[MatchedDeadlines]:
    """The deadlines of a profile's matched calls, best match first (rejected calls left out, as in
    :func:`matches_for_profile`); reads only the columns a calendar shows. With ``since``, calls whose final
    deadline (``deadline_at``, the last of their sorted deadlines) is earlier are left out."""
    rejected = select(Feedback.call_id).where(Feedback.profile_id == profile_id, Feedback.verdict == "not_relevant")
    query = (
        select(Call.id, Call.title, Call.url, Call.funder, Call.deadlines)
        .join(Match, Match.call_id == Call.id)
        .where(Match.profile_id == profile_id, col(Match.call_id).not_in(rejected))
        .order_by(col(Match.score).desc(), Call.id)
    )
    if since is not None:
        query = query.where(col(Call.deadline_at) >= since)
    return [MatchedDeadlines(*row) for row in session.execute(query)]


def matches_for_call(session: Session, call_id: int) -> list[Match]:
    """Every administration's match for one call, best first."""
    return list(session.exec(select(Match).where(Match.call_id == call_id).order_by(col(Match.score).desc())))


def set_feedback(
    session: Session, profile_id: str, call_id: int, verdict: str, user: str = "", now: datetime | None = None
) -> Feedback:
    """Record a verdict (``relevant`` / ``not_relevant``); a later verdict replaces an earlier one."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    now = now or datetime.now(UTC)
    row = session.exec(select(Feedback).where(Feedback.profile_id == profile_id, Feedback.call_id == call_id)).first()
    if row is None:
        row = Feedback(profile_id=profile_id, call_id=call_id, verdict=verdict, user=user, created_at=now)
    else:
        row.verdict, row.user, row.created_at = verdict, user, now
    session.add(row)
    session.flush()
    return row


def feedback_for_profile(session: Session, profile_id: str) -> dict[int, str]:
    """call id -> verdict for one profile."""
    rows = session.exec(select(Feedback).where(Feedback.profile_id == profile_id))
    return {row.call_id: row.verdict for row in rows}


def clear_feedback(session: Session, profile_id: str, call_id: int) -> bool:
    """Remove a verdict; returns whether there was one."""
    row = session.exec(select(Feedback).where(Feedback.profile_id == profile_id, Feedback.call_id == call_id)).first()
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def all_feedback(session: Session) -> dict[str, dict[int, str]]:
    """profile id -> call id -> verdict, for every profile."""
    out: dict[str, dict[int, str]] = {}
    for row in session.exec(select(Feedback)):
        out.setdefault(row.profile_id, {})[row.call_id] = row.verdict
    return out


def replace_matches(
    session: Session,
    profile_id: str,
    profile_version: str,
    rows: Iterable[MatchRow],
    scope: Collection[int] | None = None,
    now: datetime | None = None,
) -> ReplaceResult:
    """Make a profile's stored matches equal ``rows``, writing only what changed.

    ``scope`` is the set of call ids that were ranked (e.g. the open and forthcoming ones): stored
    matches of calls outside it (closed calls, history) are kept as they are; stored matches inside it
    that are not in ``rows`` are removed. A row whose rounded score, explanation and profile version
    equal the stored ones is left untouched, so re-running with the same calls and profile writes
    nothing. The stored rows are read once and the changes written set-based (one INSERT of many rows,
    one executemany UPDATE, DELETEs of up to 500 ids), not one ORM object per row. The caller owns the
    transaction.
    """
    now = now or datetime.now(UTC)
    result = ReplaceResult()
    table = Match.__table__
    stored_rows = session.execute(
        sa_select(table.c.id, table.c.call_id, table.c.score, table.c.explanation, table.c.profile_version).where(
            table.c.profile_id == profile_id
        )
    )
    existing = {call_id: (match_id, score, expl, version) for match_id, call_id, score, expl, version in stored_rows}
    wanted: dict[int, MatchRow] = {}
    for row in rows:
        wanted[row.call_id] = row
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for call_id, row in wanted.items():
        score = round(float(row.score), SCORE_DIGITS)
        stored = existing.get(call_id)
        if stored is None:
            inserts.append(
                {
                    "profile_id": profile_id,
                    "call_id": call_id,
                    "score": score,
                    "explanation": row.explanation,
                    "profile_version": profile_version,
                    "matched_at": now,
                }
            )
        elif round(stored[1], SCORE_DIGITS) == score and stored[2] == row.explanation and stored[3] == profile_version:
            result.unchanged += 1
        else:
            updates.append(
                {
                    "match_id": stored[0],
                    "score": score,
                    "explanation": row.explanation,
                    "profile_version": profile_version,
                    "matched_at": now,
                }
            )
    if inserts:
        session.execute(insert(table), inserts)
        result.added = len(inserts)
    if updates:
        statement = (
            update(table)
            .where(table.c.id == bindparam("match_id"))
            .values(
                score=bindparam("score"),
                explanation=bindparam("explanation"),
                profile_version=bindparam("profile_version"),
                matched_at=bindparam("matched_at"),
            )
        )
        session.execute(statement, updates)
        result.updated = len(updates)
    stale = [
        stored[0]
        for call_id, stored in existing.items()
        if call_id not in wanted and (scope is None or call_id in scope)
    ]
    for start in range(0, len(stale), 500):
        chunk = stale[start : start + 500]
        session.execute(sa_delete(table).where(table.c.id.in_(chunk)))
        result.removed += len(chunk)
    return result


def remove_matches_of_unknown_profiles(session: Session, known: Collection[str]) -> int:
    """Delete the stored matches of profiles that no longer exist (their file was removed)."""
    known = set(known)
    counts = session.exec(select(Match.profile_id, func.count()).group_by(Match.profile_id))
    gone = {profile_id: count for profile_id, count in counts if profile_id not in known}
    for profile_id in gone:
        session.exec(delete(Match).where(Match.profile_id == profile_id))
    session.flush()
    return sum(gone.values())
