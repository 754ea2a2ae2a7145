"""Queries on matches and feedback (both keyed by profile id and call)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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
    nothing. The caller owns the transaction.
    """
    now = now or datetime.now(UTC)
    result = ReplaceResult()
    existing = {m.call_id: m for m in session.exec(select(Match).where(Match.profile_id == profile_id))}
    wanted: dict[int, MatchRow] = {}
    for row in rows:
        wanted[row.call_id] = row
    for call_id, row in wanted.items():
        score = round(float(row.score), SCORE_DIGITS)
        stored = existing.get(call_id)
        if stored is None:
            session.add(
                Match(
                    profile_id=profile_id,
                    call_id=call_id,
                    score=score,
                    explanation=row.explanation,
                    profile_version=profile_version,
                    matched_at=now,
                )
            )
            result.added += 1
        elif (
            round(stored.score, SCORE_DIGITS) == score
            and stored.explanation == row.explanation
            and stored.profile_version == profile_version
        ):
            result.unchanged += 1
        else:
            stored.score, stored.explanation = score, row.explanation
            stored.profile_version, stored.matched_at = profile_version, now
            session.add(stored)
            result.updated += 1
    stale = [call_id for call_id in existing if call_id not in wanted and (scope is None or call_id in scope)]
    for start in range(0, len(stale), 500):
        chunk = stale[start : start + 500]
        session.exec(delete(Match).where(Match.profile_id == profile_id, col(Match.call_id).in_(chunk)))
        result.removed += len(chunk)
    session.flush()
    return result


def remove_matches_of_unknown_profiles(session: Session, known: Collection[str]) -> int:
    """Delete the stored matches of profiles that no longer exist (their file was removed)."""
    ids = [p for p in session.exec(select(Match.profile_id).distinct()) if p not in known]
    removed = 0
    for profile_id in ids:
        removed += len(list(session.exec(select(Match.id).where(Match.profile_id == profile_id))))
        session.exec(delete(Match).where(Match.profile_id == profile_id))
    session.flush()
    return removed
