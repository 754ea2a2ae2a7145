"""The digest ledger: which digest went out for which profile and week, with which calls and messages.

One digest per (profile, ISO week) is enforced by the ``uq_digest_profile_week`` constraint (E1):
:func:`record_digest` raises :class:`AlreadyRecorded` when another run got there first, and the caller's
transaction is rolled back. Unsubscribes (per recipient and profile) live here too, so the CLI and the
web UI share them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Text, case, cast, insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from store.digest_tables import OVERVIEW_ID, Digest, DigestItem, OutboxMessage, Unsubscribe
from store.models import Call, CallChange, Match
from store.outbox import queue_messages

__all__ = [
    "OVERVIEW_ID",
    "AlreadyRecorded",
    "CallRow",
    "MatchRow",
    "NewMessage",
    "PastDigest",
    "changes_since",
    "digest_for_week",
    "digested_calls",
    "digests_for_profile",
    "is_unsubscribed",
    "last_mailed_digest",
    "record_digest",
    "resubscribe",
    "undigested_matches",
    "unsubscribe",
    "unsubscribed",
]


class AlreadyRecorded(Exception):
    """The digest for this (profile, week) exists already; the caller's transaction must be rolled back."""


@dataclass(frozen=True)
class NewMessage:
    """A rendered message to queue in the outbox."""

    recipient: str
    subject: str
    message: bytes
    message_id: str


def digest_for_week(session: Session, profile_id: str, week: str) -> Digest | None:
    return session.exec(select(Digest).where(Digest.profile_id == profile_id, Digest.week == week)).first()


def record_digest(
    session: Session,
    *,
    profile_id: str,
    week: str,
    now: datetime,
    outcome: str,
    subject: str = "",
    items: Iterable[tuple[int, str, float | None]] = (),
    messages: Sequence[NewMessage] = (),
    counts: tuple[int, int, int] = (0, 0, 0),
    profile_version: str = "",
) -> Digest:
    """Record one week's digest with its calls (``(call_id, section, score)`` in order) and queued messages.

    Raises AlreadyRecorded if the (profile, week) digest exists (the database's unique constraint says so).
    """
    digest = Digest(
        profile_id=profile_id,
        week=week,
        created_at=now,
        outcome=outcome,
        subject=subject,
        new_count=counts[0],
        closing_count=counts[1],
        changed_count=counts[2],
        profile_version=profile_version,
    )
    session.add(digest)
    try:
        session.flush()
    except IntegrityError as exc:
        raise AlreadyRecorded(f"the digest for {profile_id} in {week} exists already") from exc
    rows = [
        {"digest_id": digest.id, "call_id": call_id, "section": section, "position": position, "score": score}
        for position, (call_id, section, score) in enumerate(items)
    ]
    if rows:
        session.exec(insert(DigestItem), params=rows)  # one multi-row INSERT, no ORM objects
    queue_messages(session, messages, now, digest_id=digest.id)
    return digest


# --- what a digest reads of calls and matches ---------------------------------------------------
#
# A digest job reads up to ``matcher.store_limit`` matches per profile, and most are never shown: the rows
# below carry only the columns ``alerts.digest`` reads, as plain objects (no ORM identity map, no change
# tracking), and the JSON only a shown entry needs is decoded on first use.


class _LazyJSON:
    """A JSON column read as text and decoded on first access, like the ORM's ``JSON`` type would."""

    def __set_name__(self, owner, name: str) -> None:
        self.raw, self.cache = f"_{name}_json", f"_{name}"

    def __get__(self, row, owner=None):
        if row is None:
            return self
        value = getattr(row, self.cache)
        if value is _UNREAD:
            text = getattr(row, self.raw)
            if text is NOT_READ:
                raise LookupError(f"{self.cache[1:]} of {row!r} was not read (store.digest_reads.read_explanations)")
            value = None if text is None else json.loads(text)
            setattr(row, self.cache, value)
        return value


_UNREAD = object()
#: a JSON column left out of the query, to be read for the few rows that need it
NOT_READ = object()


class CallRow:
    """The columns of a ``Call`` that a digest shows or selects on (``description`` only when ``summary`` is
    empty: the digest falls back to it then, and never reads it otherwise)."""

    __slots__ = (
        "id",
        "source",
        "kind",
        "title",
        "url",
        "funder",
        "programme",
        "summary",
        "description",
        "status",
        "deadline_at",
        "deadlines",
        "budget",
        "_applicant_types_json",
        "_applicant_types",
        "listed",
        "group_key",
    )
    applicant_types = _LazyJSON()

    def __init__(self, row) -> None:
        (
            self.id,
            self.source,
            self.kind,
            self.title,
            self.url,
            self.funder,
            self.programme,
            self.summary,
            self.description,
            self.status,
            self.deadline_at,
            self.deadlines,
            self.budget,
            self._applicant_types_json,
            self.listed,
            self.group_key,
        ) = row
        self._applicant_types = _UNREAD

    def __repr__(self) -> str:
        return f"CallRow(id={self.id!r}, title={self.title!r})"


#: what CallRow reads, in its order
_CALL_COLUMNS = (
    Call.id,
    Call.source,
    Call.kind,
    Call.title,
    Call.url,
    Call.funder,
    Call.programme,
    Call.summary,
    case((Call.summary == "", Call.description), else_="").label("description"),
    Call.status,
    Call.deadline_at,
    Call.deadlines,
    Call.budget,
    cast(Call.applicant_types, Text).label("applicant_types"),
    Call.listed,
    Call.group_key,
)


class MatchRow:
    """A stored match as a digest reads it: the call, the score and the explanation (decoded on first use)."""

    __slots__ = ("call_id", "score", "_explanation_json", "_explanation")
    explanation = _LazyJSON()

    def __init__(self, call_id: int, score: float, explanation_json: str | None | object) -> None:
        self.call_id, self.score, self._explanation_json = call_id, score, explanation_json
        self._explanation = _UNREAD

    def set_explanation_json(self, text: str | None) -> None:
        """Give the explanation that was left out of the query (``NOT_READ``)."""
        self._explanation_json, self._explanation = text, _UNREAD

    def __repr__(self) -> str:
        return f"MatchRow(call_id={self.call_id!r}, score={self.score!r})"


def digested_calls(session: Session, profile_id: str) -> list[CallRow]:
    """Calls listed as new in any of the profile's earlier digests (the "earlier digests" of a new one)."""
    query = (
        select(*_CALL_COLUMNS)
        .where(
            col(Call.id).in_(
                select(DigestItem.call_id)
                .join(Digest, Digest.id == DigestItem.digest_id)
                .where(Digest.profile_id == profile_id, DigestItem.section == "new")
            )
        )
        .order_by(Call.id)
    )
    return [CallRow(row) for row in session.exec(query)]


def undigested_matches(
    session: Session, profile_id: str, min_score: float | None = None
) -> list[tuple[MatchRow, CallRow]]:
    """The profile's matches whose call was never listed as new in one of its digests (nor left out as another
    source's copy of a call listed: section ``duplicate``), best first.

    ``min_score`` (the digest threshold) leaves out the matches below it whose call has no duplicate group:
    such a match is neither listed nor recorded as a duplicate. Those in a group stay, since they are
    recorded as ``duplicate`` when another copy of their call is listed.
    """
    seen = (
        select(DigestItem.call_id)
        .join(Digest, Digest.id == DigestItem.digest_id)
        .where(Digest.profile_id == profile_id, col(DigestItem.section).in_(("new", "duplicate")))
    )
    query = (
        select(Match.score, cast(Match.explanation, Text), *_CALL_COLUMNS)
        .join(Call, Call.id == Match.call_id)
        .where(Match.profile_id == profile_id, col(Match.call_id).not_in(seen))
        .order_by(col(Match.score).desc(), Call.id)
    )
    if min_score is not None:
        query = query.where(or_(col(Match.score) >= min_score, col(Call.group_key).is_not(None)))
    out = []
    for row in session.exec(query):
        call = CallRow(row[2:])
        out.append((MatchRow(call.id, row[0], row[1]), call))
    return out


def last_mailed_digest(session: Session, profile_id: str) -> Digest | None:
    """The profile's most recent digest that was mailed (not an empty week)."""
    query = (
        select(Digest)
        .where(Digest.profile_id == profile_id, Digest.outcome == "mail")
        .order_by(col(Digest.created_at).desc(), col(Digest.id).desc())
    )
    return session.exec(query).first()


def changes_since(session: Session, call_ids: Iterable[int], since: datetime) -> dict[int, list[CallChange]]:
    """Changes recorded after ``since`` for the given calls, oldest first, keyed by call id."""
    ids = sorted(set(call_ids))
    out: dict[int, list[CallChange]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = (
            select(CallChange)
            .where(col(CallChange.call_id).in_(chunk), col(CallChange.changed_at) > since)
            .order_by(CallChange.id)
        )
        for change in session.exec(query):
            out.setdefault(change.call_id, []).append(change)
    return out


# --- past digests, for the web UI ------------------------------------------------------------


@dataclass
class PastDigest:
    """A digest as the web UI shows it: when, what, and how each message fared."""

    digest: Digest
    #: (section, call) in the digest's order
    items: list[tuple[str, Call]] = field(default_factory=list)
    #: recipient -> outbox state (pending, sending, sent, failed)
    deliveries: dict[str, str] = field(default_factory=dict)

    @property
    def sent(self) -> bool:
        return bool(self.deliveries) and all(state == "sent" for state in self.deliveries.values())


def digests_for_profile(session: Session, profile_id: str, limit: int = 20) -> list[PastDigest]:
    """The profile's latest digests, newest first, with their calls and delivery states."""
    digests = session.exec(
        select(Digest)
        .where(Digest.profile_id == profile_id)
        .order_by(col(Digest.week).desc(), col(Digest.id).desc())
        .limit(limit)
    ).all()
    out = []
    for digest in digests:
        past = PastDigest(digest=digest)
        rows = session.exec(
            select(DigestItem, Call)
            .join(Call, Call.id == DigestItem.call_id)
            .where(DigestItem.digest_id == digest.id)
            .order_by(DigestItem.position)
        )
        past.items = [(item.section, call) for item, call in rows]
        for message in session.exec(select(OutboxMessage).where(OutboxMessage.digest_id == digest.id)):
            past.deliveries[message.recipient] = message.state
        out.append(past)
    return out


# --- unsubscribes ------------------------------------------------------------------------------


def _address(recipient: str) -> str:
    return recipient.strip().lower()


def unsubscribe(session: Session, profile_id: str, recipient: str, now: datetime, via: str = "") -> bool:
    """Stop sending ``profile_id``'s digests to ``recipient``; True if this changed anything.

    Used by the web UI's unsubscribe page (after verifying the token with
    ``alerts.tokens.verify_unsubscribe_token``) and by the CLI. Idempotent.
    """
    address = _address(recipient)
    if is_unsubscribed(session, profile_id, address):
        return False
    session.add(Unsubscribe(profile_id=profile_id, recipient=address, created_at=now, via=via[:20]))
    session.flush()
    return True


def resubscribe(session: Session, profile_id: str, recipient: str) -> bool:
    """Undo :func:`unsubscribe`; True if the recipient was unsubscribed."""
    result = session.exec(
        delete(Unsubscribe).where(Unsubscribe.profile_id == profile_id, Unsubscribe.recipient == _address(recipient))
    )
    return bool(result.rowcount)


def is_unsubscribed(session: Session, profile_id: str, recipient: str) -> bool:
    row = session.exec(
        select(Unsubscribe.id).where(Unsubscribe.profile_id == profile_id, Unsubscribe.recipient == _address(recipient))
    ).first()
    return row is not None


def unsubscribed(session: Session, profile_id: str) -> set[str]:
    """Lower-cased addresses that unsubscribed from ``profile_id``."""
    return set(session.exec(select(Unsubscribe.recipient).where(Unsubscribe.profile_id == profile_id)))
