"""Tables for the web UI's access control: users with roles, and the audit trail of every change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime

#: klk: everything, including the profile workshop; staff: feedback for the profiles they are bound to
ROLES = ("klk", "staff")


class User(SQLModel, table=True):
    """A person who may log in to the web UI."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True, index=True)
    display_name: str = Field(default="", max_length=200)
    role: str = Field(max_length=20)
    #: profile ids a staff user may act for (ignored for klk, who may act for all)
    profiles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    #: argon2id hash; empty for users who only sign in through the reverse proxy's header
    password_hash: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))


class AuditEvent(SQLModel, table=True):
    """One change made by someone: who, when, what kind of change, to what, and the details."""

    __tablename__ = "audit_event"
    #: the login rate limit counts recent failed logins per user name
    __table_args__ = (Index("ix_audit_event_action_target_at", "action", "target", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    #: username, or "cli:<system user>" for command-line changes
    actor: str = Field(max_length=200)
    #: e.g. profile.save, feedback.set, user.add, user.remove, login, login.failed
    action: str = Field(max_length=50, index=True)
    target: str = Field(default="", max_length=300)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
