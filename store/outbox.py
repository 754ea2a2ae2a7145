"""The outbox: queued messages and their delivery state (pending → sending → sent / failed).

Each step is its own short transaction so a crash leaves a state that says what happened:
a row still in ``sending`` after its claim ran out was interrupted between claim and commit; it is
put back to ``pending`` with an alert and re-sent with the same stored bytes and Message-ID
(at-least-once delivery: the recipient may get that one message twice, never none).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select, update

from store.alerts import record_alert
from store.digest_tables import OutboxMessage

__all__ = [
    "claim_due",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "outbox_messages",
    "recover_interrupted",
]


def queue_messages(
    session: Session,
    messages: Iterable[Any],
    now: datetime,
    *,
    digest_id: int | None = None,
    reminder_id: int | None = None,
) -> None:
    """Queue rendered messages (``store.digests.NewMessage``) as pending, for a digest or for a reminder, in the
    caller's transaction: they go out exactly when the ledger row that owns them is committed."""
    rows = [
        {
            "digest_id": digest_id,
            "reminder_id": reminder_id,
            "recipient": message.recipient,
            "subject": message.subject,
            "message": message.message,
            "message_id": message.message_id,
            "state": "pending",
            "attempts": 0,
            "last_error": "",
            "created_at": now,
            "next_attempt_at": now,
            "claimed_until": None,
            "sent_at": None,
        }
        for message in messages
    ]
    session.flush()  # the owning ledger row first
    if rows:
        session.exec(insert(OutboxMessage), params=rows)  # one multi-row INSERT, no ORM objects


def recover_interrupted(session: Session, now: datetime) -> list[OutboxMessage]:
    """Put messages whose ``sending`` claim ran out back to ``pending`` and record one alert for each."""
    rows = list(
        session.exec(
            select(OutboxMessage).where(OutboxMessage.state == "sending", col(OutboxMessage.claimed_until) < now)
        )
    )
    for row in rows:
        row.state = "pending"
        row.next_attempt_at = now
        row.claimed_until = None
        row.last_error = "interrupted while sending (process stopped); re-sent with the same Message-ID"
        session.add(row)
        record_alert(
            session,
            kind="delivery_recovered",
            subject=row.message_id,
            message=(
                f"Utskicket till {row.recipient} ({row.subject}) avbröts medan det skickades och skickas igen "
                f"med samma Message-ID; mottagaren kan få det två gånger."
            ),
            now=now,
        )
    session.flush()
    return rows


def claim_due(session: Session, now: datetime, lease: timedelta) -> OutboxMessage | None:
    """Claim the next due ``pending`` message: it becomes ``sending`` until ``now + lease``; None if none is due.

    The claim is a conditional UPDATE, so two senders never claim the same row.
    """
    while True:
        candidate = session.exec(
            select(OutboxMessage.id)
            .where(OutboxMessage.state == "pending", col(OutboxMessage.next_attempt_at) <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(1)
        ).first()
        if candidate is None:
            return None
        result = session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == candidate, OutboxMessage.state == "pending")
            .values(state="sending", claimed_until=now + lease, attempts=OutboxMessage.attempts + 1)
        )
        if result.rowcount == 1:
            session.flush()
            row = session.get(OutboxMessage, candidate, populate_existing=True)
            return row


def _finish(session: Session, message_id: int, **values) -> bool:
    result = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, OutboxMessage.state == "sending")
        .values(claimed_until=None, **values)
    )
    return bool(result.rowcount)


def mark_sent(session: Session, message_id: int, now: datetime) -> bool:
    """The server accepted the message (or it was written to the outbox folder)."""
    return _finish(session, message_id, state="sent", sent_at=now, last_error="")


def mark_retry(session: Session, message_id: int, error: str, next_attempt_at: datetime) -> bool:
    """A temporary failure: try again at ``next_attempt_at``."""
    return _finish(session, message_id, state="pending", last_error=error[:2000], next_attempt_at=next_attempt_at)


def mark_failed(session: Session, message_id: int, error: str, now: datetime) -> bool:
    """A permanent failure (or the last attempt): no more retries; records an alert."""
    row = session.get(OutboxMessage, message_id)
    done = _finish(session, message_id, state="failed", last_error=error[:2000])
    if done and row is not None:
        record_alert(
            session,
            kind="delivery_failed",
            subject=row.message_id,
            message=f"Utskicket till {row.recipient} ({row.subject}) kunde inte levereras: {error[:500]}",
            now=now,
        )
    return done


def outbox_messages(session: Session, state: str | None = None) -> list[OutboxMessage]:
    """Queued messages (optionally in one state), oldest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if state:
        query = query.where(OutboxMessage.state == state)
    return list(session.exec(query))
