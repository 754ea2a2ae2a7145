"""Queries of the strategy alignment: each call's Agenda 2030 and child/youth tags, and the register of
international activities. Every function takes a session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, delete
from sqlmodel import Session, col, select

from store.models import Call
from store.models_strategy import Activity, CallTag, CallTagging

#: the tag of calls aimed at children and young people (the others are "sdg1" … "sdg17"); the names
#: ``strategy.sdg.Tags.as_rows`` gives
CHILD_YOUTH = "barn_unga"


def sdg_tag(goal: int) -> str:
    return f"sdg{goal}"


# --- tags ---------------------------------------------------------------------------------------------


def tagging_state(session: Session) -> dict[int, tuple[str, str]]:
    """call id -> (the call's content hash, the fingerprint it was last tagged with, or "")."""
    statement = select(Call.id, Call.content_hash, CallTagging.fingerprint).outerjoin(
        CallTagging, col(CallTagging.call_id) == col(Call.id)
    )
    return {
        call_id: (content_hash, fingerprint or "") for call_id, content_hash, fingerprint in session.exec(statement)
    }


def save_tags(
    session: Session, call_id: int, tags: Mapping[str, Sequence[str]], fingerprint: str, now: datetime | None = None
) -> None:
    """Replace a call's tags (tag -> triggering terms) and record what they were computed from."""
    session.exec(delete(CallTag).where(col(CallTag.call_id) == call_id))  # type: ignore[call-overload]
    for tag, terms in sorted(tags.items()):
        session.add(CallTag(call_id=call_id, tag=tag, terms=list(terms)))
    state = session.get(CallTagging, call_id)
    if state is None:
        state = CallTagging(call_id=call_id, fingerprint=fingerprint)
    state.fingerprint = fingerprint
    state.tagged_at = now or datetime.now(UTC)
    session.add(state)


def tags_for_calls(session: Session, call_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """call id -> {tag: terms}, for the calls that have tags."""
    ids = sorted(set(call_ids))
    out: dict[int, dict[str, list[str]]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        statement = select(CallTag).where(col(CallTag.call_id).in_(chunk)).order_by(col(CallTag.id))
        for row in session.exec(statement):
            out.setdefault(row.call_id, {})[row.tag] = list(row.terms or [])
    return out


_TAG_NAMES = select(CallTag.call_id, CallTag.tag).where(col(CallTag.call_id).in_(bindparam("ids", expanding=True)))


def tag_names_for_calls(session: Session, call_ids: Iterable[int]) -> dict[int, set[str]]:
    """call id -> its tags' names (for result lists, which show the goals but not the terms behind them)."""
    ids = sorted(set(call_ids))
    out: dict[int, set[str]] = {}
    for start in range(0, len(ids), 500):
        for call_id, tag in session.execute(_TAG_NAMES, {"ids": ids[start : start + 500]}):
            out.setdefault(call_id, set()).add(tag)
    return out


def tag_fingerprint(session: Session, call_id: int) -> str:
    """The fingerprint a call was tagged with ("" when never tagged)."""
    state = session.get(CallTagging, call_id)
    return state.fingerprint if state is not None else ""


def goals_by_call(session: Session, call_ids: Iterable[int]) -> dict[int, set[int]]:
    """call id -> the SDG numbers it is tagged with."""
    out: dict[int, set[int]] = {}
    for call_id, tags in tags_for_calls(session, call_ids).items():
        goals = {int(tag[3:]) for tag in tags if tag.startswith("sdg")}
        if goals:
            out[call_id] = goals
    return out


# --- the activity register ------------------------------------------------------------------------------


def add_activity(
    session: Session,
    *,
    held_on: date,
    profile_id: str,
    kind: str,
    partner: str,
    participants: int,
    mode: str,
    note: str = "",
    created_by: str = "",
    now: datetime | None = None,
) -> Activity:
    activity = Activity(
        held_on=held_on,
        profile_id=profile_id,
        kind=kind,
        partner=partner,
        participants=participants,
        mode=mode,
        note=note,
        created_by=created_by,
        created_at=now or datetime.now(UTC),
    )
    session.add(activity)
    session.flush()
    return activity


def list_activities(
    session: Session, year: int | None = None, profile_ids: Sequence[str] | None = None
) -> list[Activity]:
    """Activities, newest first; only one year's, and only some administrations', when given."""
    statement = select(Activity)
    if year is not None:
        statement = statement.where(
            col(Activity.held_on) >= date(year, 1, 1), col(Activity.held_on) <= date(year, 12, 31)
        )
    if profile_ids is not None:
        statement = statement.where(col(Activity.profile_id).in_(list(profile_ids)))
    return list(session.exec(statement.order_by(col(Activity.held_on).desc(), col(Activity.id).desc())))


def activity_years(session: Session) -> list[int]:
    """The years that have activities, newest first."""
    days = session.exec(select(Activity.held_on).distinct())
    return sorted({d.year for d in days if d is not None}, reverse=True)


def delete_activity(session: Session, activity_id: int) -> Activity | None:
    """Remove one activity; returns it (for the audit log), or None when it does not exist."""
    activity = session.get(Activity, activity_id)
    if activity is not None:
        session.delete(activity)
        session.flush()
    return activity
