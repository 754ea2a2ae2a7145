"""The match run's state: the fingerprint of the last completed run's inputs and of the match table it left."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlmodel import Session, col, func, select

from store.models import Call, Match, MatchState

#: the one state row's key
NAME = "match_run"


def match_table_summary(session: Session) -> str:
    """``count:max id`` of the match table: changes whenever a match is added or removed."""
    count, top = session.exec(select(func.count(), func.max(Match.id))).one()
    return f"{count}:{top or 0}"


def last_inputs(session: Session) -> str | None:
    """The inputs fingerprint of the last completed run, when the match table is still the one it left."""
    state = session.get(MatchState, NAME)
    if state is None or state.matches != match_table_summary(session):
        return None
    return state.inputs


def save_state(session: Session, inputs: str, now: datetime | None = None) -> None:
    """Record a completed run's inputs fingerprint (in the run's own transaction, after its writes)."""
    state = session.get(MatchState, NAME) or MatchState(name=NAME, inputs="", matches="")
    state.inputs, state.matches = inputs, match_table_summary(session)
    state.finished_at = now or datetime.now(UTC)
    session.add(state)
    session.flush()


def matches_in_scope(session: Session, statuses: Collection[str]) -> dict[str, int]:
    """profile id -> stored matches of calls with one of ``statuses`` (what a run that changes nothing
    reports as unchanged)."""
    query = (
        select(Match.profile_id, func.count())
        .join(Call, Call.id == Match.call_id)
        .where(col(Call.status).in_(list(statuses)))
        .group_by(Match.profile_id)
    )
    return {profile_id: count for profile_id, count in session.exec(query)}
