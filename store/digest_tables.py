"""Tables of the digest ledger: digests, their calls, the outbox, unsubscribes and operator alerts.

Imported by ``store/models.py`` so every table is on ``SQLModel.metadata``. Created by migration ``0002_digest``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime

#: the ledger's profile id for KLK's weekly overview (profile ids cannot start with "_")
OVERVIEW_ID = "_overview"
#: outbox states, in order
OUTBOX_STATES = ("pending", "sending", "sent", "failed")
#: sections of a digest a call can be listed in; "duplicate": not shown because the same call from another
#: source was listed (now or earlier), so it is never sent as new later
SECTIONS = ("new", "closing", "changed", "overview", "duplicate")


def _dt(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Digest(SQLModel, table=True):
    """One digest of one profile for one ISO week (E1: the unique constraint, not code, keeps it to one)."""

    __tablename__ = "digest"
    __table_args__ = (UniqueConstraint("profile_id", "week", name="uq_digest_profile_week"),)

    id: int | None = Field(default=None, primary_key=True)
    #: a profile id, or OVERVIEW_ID for KLK's overview
    profile_id: str = Field(max_length=100, index=True)
    #: ISO week, e.g. "2026-W48"
    week: str = Field(max_length=8)
    created_at: datetime | None = _dt(nullable=False)
    #: "mail" (messages queued) or "empty" (nothing to send this week; nothing queued)
    outcome: str = Field(default="mail", max_length=10)
    subject: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    new_count: int = 0
    closing_count: int = 0
    changed_count: int = 0
    profile_version: str = Field(default="", max_length=64)


class DigestItem(SQLModel, table=True):
    """A call listed in a digest, and in which section ("new", "closing", "changed", "overview"; "duplicate" for a
    call left out because the same call from another source was listed)."""

    __tablename__ = "digest_item"
    __table_args__ = (UniqueConstraint("digest_id", "call_id", "section", name="uq_digest_item"),)

    id: int | None = Field(default=None, primary_key=True)
    digest_id: int = Field(foreign_key="digest.id", index=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    section: str = Field(max_length=10)
    position: int = 0
    score: float | None = None


class OutboxMessage(SQLModel, table=True):
    """One rendered message to one recipient: pending → sending → sent / failed.

    It belongs to a digest (``digest_id``) or to a deadline reminder (``reminder_id``, migration 0008_followup).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("digest_id", "recipient", name="uq_outbox_digest_recipient"),
        UniqueConstraint("reminder_id", "recipient", name="uq_outbox_reminder_recipient"),
        UniqueConstraint("message_id", name="uq_outbox_message_id"),
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    digest_id: int | None = Field(default=None, foreign_key="digest.id", index=True)
    reminder_id: int | None = Field(default=None, foreign_key="reminder.id", index=True)
    recipient: str = Field(max_length=320)
    subject: str = Field(sa_column=Column(Text, nullable=False))
    #: the complete message as sent (RFC 5322 bytes, CRLF line ends); re-sent unchanged after a crash
    message: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    message_id: str = Field(max_length=255)
    state: str = Field(default="pending", max_length=10)
    attempts: int = 0
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = _dt(nullable=False)
    next_attempt_at: datetime | None = _dt(nullable=False)
    #: while ``sending``: when the claim runs out (a later claim means the sender crashed)
    claimed_until: datetime | None = _dt()
    sent_at: datetime | None = _dt()


class Unsubscribe(SQLModel, table=True):
    """A recipient who no longer wants one profile's digests (profile OVERVIEW_ID: KLK's overview)."""

    __tablename__ = "unsubscribe"
    __table_args__ = (UniqueConstraint("profile_id", "recipient", name="uq_unsubscribe_profile_recipient"),)

    id: int | None = Field(default=None, primary_key=True)
    profile_id: str = Field(max_length=100, index=True)
    #: lower-cased address
    recipient: str = Field(max_length=320)
    created_at: datetime | None = _dt(nullable=False)
    #: how it was done: "link" (the email's unsubscribe link), "cli", "web"
    via: str = Field(default="", max_length=20)


class Alert(SQLModel, table=True):
    """Something an operator must know about (a re-sent message after a crash, a message that failed, ...)."""

    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)
    #: short code, e.g. "delivery_recovered", "delivery_failed"
    kind: str = Field(max_length=40, index=True)
    #: what it is about (a Message-ID, a source name, a profile id)
    subject: str = Field(default="", max_length=300)
    message: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime | None = _dt(nullable=False, index=True)
    resolved_at: datetime | None = _dt()
