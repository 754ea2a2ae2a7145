"""Queries and changes of follow-ups (``store.models_followup.FollowUp``). Functions take a session.

:func:`save_followup` validates with the pure :func:`store.followup_rules.clean_followup`, stores the record and
writes one audit event (action ``followup.set``, target ``call:ID``, detail: the profile and every changed field
as ``[old, new]``) in the caller's transaction, so the audit event exists exactly when the change does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, extract, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.accounts import record_audit
from store.followup_rules import DATE_FIELDS, clean_followup
from store.models import Call
from store.models_access import AuditEvent
from store.models_followup import FOLLOWUP_STATUSES, FollowUp

__all__ = [
    "AUDIT_ACTION",
    "followup_history",
    "followups_for_call",
    "get_followup",
    "list_followups",
    "save_followup",
    "statuses_for_profile",
]

AUDIT_ACTION = "followup.set"


class FollowUpConflict(Exception):
    """Two saves created the same follow-up at once; the caller's transaction must be rolled back (retry)."""


#: the fields a caller may set (the rest is bookkeeping)
EDITABLE = (
    "status",
    "contact_name",
    "contact_email",
    "currency",
    "eur_rate",
    "amount_applied",
    "amount_granted",
    "cofinancing",
    *DATE_FIELDS,
    "partners",
    "notes",
)


def get_followup(session: Session, profile_id: str, call_id: int) -> FollowUp | None:
    return session.exec(select(FollowUp).where(FollowUp.profile_id == profile_id, FollowUp.call_id == call_id)).first()


def followups_for_call(session: Session, call_id: int) -> dict[str, FollowUp]:
    """profile id -> that administration's follow-up of the call."""
    rows = session.exec(select(FollowUp).where(FollowUp.call_id == call_id).order_by(FollowUp.profile_id))
    return {row.profile_id: row for row in rows}


def statuses_for_profile(session: Session, profile_id: str, call_ids: Iterable[int] | None = None) -> dict[int, str]:
    """call id -> status of the profile's follow-ups (of the given calls only, when given)."""
    query = select(FollowUp.call_id, FollowUp.status).where(FollowUp.profile_id == profile_id)
    if call_ids is not None:
        ids = list(call_ids)
        if not ids:
            return {}
        query = query.where(col(FollowUp.call_id).in_(ids))
    return {call_id: status for call_id, status in session.exec(query)}


def list_followups(
    session: Session,
    *,
    profile_ids: Sequence[str] = (),
    statuses: Sequence[str] = (),
    year: int | None = None,
    limit: int | None = None,
) -> list[tuple[FollowUp, Call]]:
    """Follow-ups with their calls, most recently changed first.

    ``year`` keeps those with a step dated in that year (interest, application, submission or decision).
    """
    query = select(FollowUp, Call).join(Call, col(Call.id) == FollowUp.call_id)
    if profile_ids:
        query = query.where(col(FollowUp.profile_id).in_(list(profile_ids)))
    if statuses:
        unknown = set(statuses) - set(FOLLOWUP_STATUSES)
        if unknown:
            raise ValueError(f"unknown follow-up status {sorted(unknown)}; known: {', '.join(FOLLOWUP_STATUSES)}")
        query = query.where(col(FollowUp.status).in_(list(statuses)))
    if year is not None:
        first, last = date(year, 1, 1), date(year, 12, 31)
        query = query.where(
            or_(
                *[
                    and_(col(getattr(FollowUp, name)) >= first, col(getattr(FollowUp, name)) <= last)
                    for name in DATE_FIELDS
                ]
            )
        )
    query = query.order_by(col(FollowUp.updated_at).desc(), col(FollowUp.id).desc())
    if limit is not None:
        query = query.limit(limit)
    return [(followup, call) for followup, call in session.exec(query)]


def followup_years(session: Session) -> list[int]:
    """Years in which some follow-up step is dated, newest first (for the list page's filter)."""
    years: set[int] = set()
    for name in DATE_FIELDS:
        column = col(getattr(FollowUp, name))
        query = select(extract("year", column)).where(column.is_not(None)).distinct()
        years |= {int(year) for year in session.exec(query)}
    return sorted(years, reverse=True)


def _plain(value: Any) -> Any:
    """A value as the audit log keeps it (JSON)."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def save_followup(
    session: Session,
    profile_id: str,
    call_id: int,
    values: Mapping[str, Any],
    *,
    actor: str,
    allow_backwards: bool = False,
    today: date | None = None,
    now: datetime | None = None,
) -> tuple[FollowUp, dict[str, list[Any]]]:
    """Create or change the profile's follow-up of the call; returns (record, changed fields as [old, new]).

    Raises ``store.followup_rules.FollowUpInvalid`` (nothing stored) when a field is wrong, LookupError when
    the call does not exist, and FollowUpConflict when another transaction created the record meanwhile. Nothing is written (and nothing audited) when no field changes.
    """
    now = now or datetime.now(UTC)
    today = today or now.date()
    if session.get(Call, call_id) is None:
        raise LookupError(f"no call with id {call_id}")
    current = get_followup(session, profile_id, call_id)
    cleaned = clean_followup(
        {k: v for k, v in values.items() if k in EDITABLE}, current, today=today, allow_backwards=allow_backwards
    )
    created = current is None
    record = current or FollowUp(profile_id=profile_id, call_id=call_id, created_at=now, partners=[])
    changes: dict[str, list[Any]] = {}
    for name in EDITABLE:
        old = None if created else getattr(record, name)
        new = cleaned[name]
        if created and new in (None, "", []):
            continue
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
        setattr(record, name, new)
    if not created and not changes:
        return record, {}
    record.updated_at = now
    record.updated_by = actor
    session.add(record)
    try:
        session.flush()
    except IntegrityError as exc:  # another request created the same follow-up a moment ago
        raise FollowUpConflict(f"the follow-up of call {call_id} for {profile_id} was created meanwhile") from exc
    detail: dict[str, Any] = {"profile": profile_id, "changes": changes}
    if created:
        detail["created"] = True
    record_audit(session, actor, AUDIT_ACTION, f"call:{call_id}", detail, now=now)
    return record, changes


def followup_history(session: Session, profile_id: str, call_id: int, limit: int = 200) -> list[AuditEvent]:
    """The audit events of one follow-up, newest first."""
    rows = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == AUDIT_ACTION, AuditEvent.target == f"call:{call_id}")
        .order_by(col(AuditEvent.id).desc())
    )
    return [row for row in rows if (row.detail or {}).get("profile") == profile_id][:limit]
