"""SQLModel tables. Schema changes go through a migration in ``store/migrations/versions``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime

#: call statuses, in the order a call passes through them
STATUSES = ("forthcoming", "open", "closed")
#: record kinds: a call with opening and closing, a yearly window, an always-open scheme, an announced call
KINDS = ("call", "recurring", "scheme", "planned")


def _dt(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Call(SQLModel, table=True):
    """One funding call, call round or standing scheme, as last seen at its source."""

    __tablename__ = "call"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_call_source_external_id"),
        # listings of open calls by deadline / first seen, and the open calls' fingerprint, read from indexes
        Index("ix_call_status_deadline_at", "status", "deadline_at", postgresql_include=["id"]),
        Index("ix_call_status_first_seen_at", "status", "first_seen_at", postgresql_include=["id"]),
        Index("ix_call_status_updated_at", "status", "updated_at", postgresql_include=["id"]),
        Index("ix_call_funder_deadline_at", "funder", "deadline_at", postgresql_include=["id"]),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100, index=True)
    external_id: str = Field(max_length=500)
    kind: str = Field(default="call", max_length=20, index=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    url: str = Field(sa_column=Column(Text, nullable=False))
    funder: str = Field(default="", max_length=300, index=True)
    programme: str = Field(default="", max_length=300, index=True)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    language: str = Field(default="", max_length=8, index=True)
    status: str = Field(default="open", max_length=12, index=True)
    opens_at: datetime | None = _dt()
    #: the final deadline (when the call closes); all cut-offs are in ``deadlines``
    deadline_at: datetime | None = _dt(index=True)
    #: every cut-off as ISO 8601 text, ascending
    deadlines: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    budget: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    applicant_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    #: source-specific extras (region, eligibility flags, related links)
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    first_seen_at: datetime | None = _dt(nullable=False, index=True)
    last_seen_at: datetime | None = _dt(nullable=False)
    updated_at: datetime | None = _dt(nullable=False)
    content_hash: str = Field(max_length=64)
    #: False once the call has disappeared from its source's listing (never deleted)
    listed: bool = Field(default=True)
    #: shared by the same call found at several sources (``store.groups``); None when it has no duplicate
    group_key: str | None = Field(default=None, max_length=64, index=True)


class CallChange(SQLModel, table=True):
    """One field of a call that changed between two scrapes or imports."""

    __tablename__ = "call_change"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    field: str = Field(max_length=50)
    old_value: str | None = Field(default=None, sa_column=Column(Text))
    new_value: str | None = Field(default=None, sa_column=Column(Text))
    changed_at: datetime | None = _dt(nullable=False, index=True)


class ScrapeRun(SQLModel, table=True):
    """One run of one source: counts and outcome. Source health is derived from these rows."""

    __tablename__ = "scrape_run"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100, index=True)
    started_at: datetime | None = _dt(nullable=False, index=True)
    finished_at: datetime | None = _dt()
    #: ok | not_modified | error | skipped
    outcome: str = Field(default="ok", max_length=20)
    #: short error code (timeout, http_error, too_large, blocked, parse_error, layout_changed, ...)
    reason: str = Field(default="", max_length=40)
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    fetched: int = 0
    parsed: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0


class Match(SQLModel, table=True):
    """A call's score against one profile, with the explanation shown to people."""

    __tablename__ = "match"
    __table_args__ = (UniqueConstraint("profile_id", "call_id", name="uq_match_profile_call"),)

    id: int | None = Field(default=None, primary_key=True)
    profile_id: str = Field(max_length=100, index=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    score: float = 0.0
    #: {"priority": ..., "reasons": [...], "terms": [...]}
    explanation: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    profile_version: str = Field(default="", max_length=64)
    matched_at: datetime | None = _dt(nullable=False)


class MatchState(SQLModel, table=True):
    """What the last completed match run ranked: a fingerprint of its inputs (calls as the matcher reads them,
    profiles, feedback, matcher code and settings) and of the match table it left. A run whose inputs and
    match table are unchanged skips ranking: it would write nothing (migration ``0012_matchstate``)."""

    __tablename__ = "match_state"

    #: always ``match_run``: one row
    name: str = Field(primary_key=True, max_length=50)
    inputs: str = Field(max_length=64)
    #: ``count:max id`` of the match table after the run
    matches: str = Field(max_length=64)
    finished_at: datetime | None = _dt(nullable=False)


class Feedback(SQLModel, table=True):
    """A person's verdict on a call for one administration; the latest verdict wins."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("profile_id", "call_id", name="uq_feedback_profile_call"),)

    id: int | None = Field(default=None, primary_key=True)
    profile_id: str = Field(max_length=100, index=True)
    call_id: int = Field(foreign_key="call.id", index=True)
    #: relevant | not_relevant
    verdict: str = Field(max_length=20)
    user: str = Field(default="", max_length=200)
    created_at: datetime | None = _dt(nullable=False)


class JobRun(SQLModel, table=True):
    """One execution of a scheduled job (scrape, match, digest, ...): what `fundwatch status` shows."""

    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=50, index=True)
    started_at: datetime | None = _dt(nullable=False, index=True)
    finished_at: datetime | None = _dt()
    #: running | ok | error
    outcome: str = Field(default="running", max_length=20)
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    #: which process ran it ("host:pid")
    runner: str = Field(default="", max_length=200)


class HttpValidator(SQLModel, table=True):
    """What a server last said about a URL's version (ETag / Last-Modified), per source: makes GETs conditional."""

    __tablename__ = "http_validator"
    __table_args__ = (UniqueConstraint("source", "url_hash", name="uq_http_validator_source_url"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=100, index=True)
    #: SHA-256 of ``url`` (URLs can be longer than an index allows)
    url_hash: str = Field(max_length=64)
    url: str = Field(sa_column=Column(Text, nullable=False))
    etag: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    last_modified: str = Field(default="", max_length=100)
    updated_at: datetime | None = _dt(nullable=False)


# the digest ledger's tables live in their own module; importing them here registers them with the metadata
from store.digest_tables import Alert, Digest, DigestItem, OutboxMessage, Unsubscribe  # noqa: E402

# the web UI's access tables
from store.models_access import AuditEvent, User  # noqa: E402, F401

# the follow-up's tables (applications and their reminders)
from store.models_followup import FollowUp, Reminder  # noqa: E402, F401

# the strategy alignment's tables (Agenda 2030 tags, international activities)
from store.models_strategy import Activity, CallTag, CallTagging  # noqa: E402, F401

__all__ = [
    "Alert",
    "AuditEvent",
    "Call",
    "CallChange",
    "Digest",
    "DigestItem",
    "Feedback",
    "HttpValidator",
    "JobRun",
    "Match",
    "MatchState",
    "OutboxMessage",
    "ScrapeRun",
    "Unsubscribe",
    "User",
]
