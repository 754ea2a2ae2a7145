"""The deadline reminders' ledger: which follow-ups want reminders, which were sent, and recording one.

:func:`record_reminder` writes the ``reminder`` row and its outbox messages in the caller's transaction. The
row's unique (follow-up, deadline, days before) makes each reminder go out once: a second run, or a second
process, gets :class:`store.digests.AlreadyRecorded` and must roll back. Delivery is the digests' (``outbox``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.digests import AlreadyRecorded, NewMessage
from store.models import Call
from store.models_followup import REMINDER_STATUSES, FollowUp, Reminder
from store.outbox import queue_messages

__all__ = ["record_reminder", "reminder_candidates", "reminders_for", "sent_reminders"]


def reminder_candidates(session: Session) -> list[tuple[FollowUp, Call]]:
    """Follow-ups whose call's deadlines still matter (status in ``REMINDER_STATUSES``), with their calls."""
    query = (
        select(FollowUp, Call)
        .join(Call, col(Call.id) == FollowUp.call_id)
        .where(col(FollowUp.status).in_(REMINDER_STATUSES))
        .order_by(FollowUp.id)
    )
    return [(followup, call) for followup, call in session.exec(query)]


def sent_reminders(session: Session, followup_ids: Iterable[int]) -> set[tuple[int, datetime, int]]:
    """(follow-up id, deadline, days before) of every reminder already recorded for these follow-ups."""
    ids = list(followup_ids)
    if not ids:
        return set()
    rows = session.exec(
        select(Reminder.followup_id, Reminder.deadline_at, Reminder.days_before).where(
            col(Reminder.followup_id).in_(ids)
        )
    )
    return {(fid, deadline, days) for fid, deadline, days in rows}


def reminders_for(session: Session, followup_id: int) -> list[Reminder]:
    """The reminders recorded for one follow-up, oldest first."""
    return list(session.exec(select(Reminder).where(Reminder.followup_id == followup_id).order_by(Reminder.id)))


def record_reminder(
    session: Session,
    *,
    followup_id: int,
    deadline_at: datetime,
    days_before: int,
    recipients: Sequence[str],
    now: datetime,
    messages: Sequence[NewMessage],
) -> Reminder:
    """Record one reminder and queue its messages; raises AlreadyRecorded when it was recorded before.

    ``Reminder.recipient`` keeps the addresses it went to, comma-separated (cut to the column's 320 characters).
    """
    reminder = Reminder(
        followup_id=followup_id,
        deadline_at=deadline_at,
        days_before=days_before,
        recipient=", ".join(recipients)[:320],
        created_at=now,
    )
    session.add(reminder)
    try:
        session.flush()
    except IntegrityError as exc:
        raise AlreadyRecorded(
            f"the {days_before}-day reminder of follow-up {followup_id} for {deadline_at.isoformat()} exists already"
        ) from exc
    queue_messages(session, messages, now, reminder_id=reminder.id)
    return reminder
