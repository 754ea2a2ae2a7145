"""Tables of the strategy alignment (migration ``0011_strategy``): the Agenda 2030 and child/youth tags of each
call, when each call was last tagged, and the register of international activities.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime


class CallTag(SQLModel, table=True):
    """One tag of a call: ``sdg1`` … ``sdg17`` or ``barn_unga``, with the terms of the call that triggered it."""

    __tablename__ = "call_tag"
    __table_args__ = (UniqueConstraint("call_id", "tag", name="uq_call_tag_call_tag"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    tag: str = Field(max_length=20, index=True)
    terms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))


class CallTagging(SQLModel, table=True):
    """When a call was tagged, and from what: the call's content hash and the term list's version."""

    __tablename__ = "call_tagging"

    call_id: int = Field(foreign_key="call.id", primary_key=True)
    fingerprint: str = Field(max_length=64)
    tagged_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))


class Activity(SQLModel, table=True):
    """One international meeting, training or study visit, for the yearly indicators."""

    __tablename__ = "activity"

    id: int | None = Field(default=None, primary_key=True)
    held_on: date | None = Field(default=None, sa_column=Column(Date(), nullable=False, index=True))
    #: the administration (profile id) that took part
    profile_id: str = Field(max_length=100, index=True)
    #: meeting | training | study_visit (``strategy.activities.KINDS``)
    kind: str = Field(max_length=20)
    #: partner city or network, e.g. "Gdańsk" or "Union of the Baltic Cities"
    partner: str = Field(max_length=200)
    participants: int = 1
    #: travel | web (``strategy.activities.MODES``)
    mode: str = Field(max_length=10)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by: str = Field(default="", max_length=200)
    created_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))


__all__ = ["Activity", "CallTag", "CallTagging"]
