"""Queries on matches and feedback (both keyed by profile id and call)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, col, select

from store.models import Call, Feedback, Match

VERDICTS = ("relevant", "not_relevant")


def matches_for_profile(session: Session, profile_id: str, limit: int | None = None) -> list[tuple[Match, Call]]:
    """A profile's stored matches with their calls, best first."""
    query = (
        select(Match, Call)
        .join(Call, Call.id == Match.call_id)
        .where(Match.profile_id == profile_id)
        .order_by(col(Match.score).desc(), Call.id)
    )
    if limit:
        query = query.limit(limit)
    return list(session.exec(query))


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
