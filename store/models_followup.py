"""Tables of the follow-up: what an administration did with a call (interest → application → decision),
and the deadline reminders sent for it. Created by migration ``0008_followup``.

Amounts are whole units of ``currency`` (SEK or EUR); for EUR, ``eur_rate`` is the SEK-per-EUR rate the
administration used, so the yearly report can sum everything in SEK and show the rate beside it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Date, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime

#: follow-up states in the order a record normally passes through them
#: (intresserad → ansoker → inskickad → beviljad | avslag; avstar from any open state)
FOLLOWUP_STATUSES = ("intresserad", "ansoker", "inskickad", "beviljad", "avslag", "avstar")
#: states in which the call's deadline still matters to someone (reminders go out for these)
REMINDER_STATUSES = ("intresserad", "ansoker")
#: currencies an amount may be given in
CURRENCIES = ("SEK", "EUR")


def _dt(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _day() -> Any:
    return Field(default=None, sa_column=Column(Date(), nullable=True))


def _amount() -> Any:
    return Field(default=None, sa_column=Column(BigInteger(), nullable=True))


class FollowUp(SQLModel, table=True):
    """One administration's follow-up of one call; every change is also an audit event."""

    __tablename__ = "followup"
    __table_args__ = (UniqueConstraint("profile_id", "call_id", name="uq_followup_profile_call"),)

    id: int | None = Field(default=None, primary_key=True)
    profile_id: str = Field(max_length=100, index=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    status: str = Field(default="intresserad", max_length=12, index=True)
    #: the responsible person: deadline reminders go to ``contact_email``
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=320)
    currency: str = Field(default="SEK", max_length=3)
    #: SEK per EUR, required when ``currency`` is EUR
    eur_rate: float | None = None
    amount_applied: int | None = _amount()
    amount_granted: int | None = _amount()
    #: the municipality's own co-financing committed
    cofinancing: int | None = _amount()
    #: when each step happened (set when the status moves there, editable)
    interested_on: date | None = _day()
    applying_on: date | None = _day()
    submitted_on: date | None = _day()
    decided_on: date | None = _day()
    #: [{"name": "Gdańsk kommun", "country": "PL"}, ...]; country is ISO 3166-1 alpha-2
    partners: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = _dt(nullable=False)
    updated_at: datetime | None = _dt(nullable=False)
    updated_by: str = Field(default="", max_length=200)


class Reminder(SQLModel, table=True):
    """A deadline reminder for one follow-up: one row per (follow-up, deadline, days before), so it goes out once."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("followup_id", "deadline_at", "days_before", name="uq_reminder_followup_deadline_days"),
    )

    id: int | None = Field(default=None, primary_key=True)
    followup_id: int = Field(foreign_key="followup.id", index=True)
    deadline_at: datetime | None = _dt(nullable=False)
    days_before: int
    recipient: str = Field(max_length=320)
    created_at: datetime | None = _dt(nullable=False)
