"""Queries on calls: idempotent upsert with change records, listing, lookup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from store.models import Call, CallChange
from store.records import TRACKED_FIELDS, CallRecord, canonical, content_hash

#: last_seen_at is refreshed at most this often for an unchanged call (keeps re-runs write-free)
SEEN_GRANULARITY = timedelta(hours=1)
_BATCH = 500


@dataclass
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    #: (call id, field) of every recorded change
    changes: list[tuple[int, str]] = field(default_factory=list)

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changes.extend(other.changes)
        return self


def upsert_calls(session: Session, records: Iterable[CallRecord], now: datetime | None = None) -> UpsertResult:
    """Insert new calls, update changed ones (recording each changed field), leave the rest alone.

    Upserting the same records twice changes nothing the second time. The caller owns the transaction.
    """
    now = now or datetime.now(UTC)
    result = UpsertResult()
    batch: list[CallRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= _BATCH:
            result += _upsert_batch(session, batch, now)
            batch = []
    if batch:
        result += _upsert_batch(session, batch, now)
    return result


def _upsert_batch(session: Session, records: Sequence[CallRecord], now: datetime) -> UpsertResult:
    result = UpsertResult()
    # the last record wins when a batch repeats a key
    unique: dict[tuple[str, str], CallRecord] = {(r.source, r.external_id): r for r in records}
    by_source: dict[str, list[str]] = {}
    for source, external_id in unique:
        by_source.setdefault(source, []).append(external_id)
    # first only the keys and hashes: unchanged calls (the common case) never load their text
    known: dict[tuple[str, str], tuple[int, str, datetime, bool]] = {}
    for source, ids in by_source.items():
        query = select(Call.id, Call.external_id, Call.content_hash, Call.last_seen_at, Call.listed).where(
            Call.source == source, col(Call.external_id).in_(ids)
        )
        for call_id, external_id, digest, last_seen, listed in session.exec(query):
            known[(source, external_id)] = (call_id, digest, last_seen, listed)

    changed: dict[int, tuple[CallRecord, dict, str]] = {}
    touched: list[int] = []
    for key, record in unique.items():
        values = record.stored_values()
        digest = content_hash(values)
        if key not in known:
            session.add(
                Call(
                    source=record.source,
                    external_id=record.external_id,
                    first_seen_at=now,
                    last_seen_at=now,
                    updated_at=now,
                    content_hash=digest,
                    listed=True,
                    **values,
                )
            )
            result.new += 1
            continue
        call_id, old_digest, last_seen, listed = known[key]
        if old_digest == digest:
            if not listed or now - last_seen >= SEEN_GRANULARITY:
                touched.append(call_id)
            result.unchanged += 1
            continue
        changed[call_id] = (record, values, digest)

    if touched:
        session.exec(update(Call).where(col(Call.id).in_(touched)).values(last_seen_at=now, listed=True))
    if changed:
        for row in session.exec(select(Call).where(col(Call.id).in_(list(changed)))):
            record, values, digest = changed[row.id]
            for name in TRACKED_FIELDS:
                old, new = canonical(getattr(row, name)), canonical(values[name])
                if old != new:
                    session.add(CallChange(call_id=row.id, field=name, old_value=old, new_value=new, changed_at=now))
                    result.changes.append((row.id, name))
                    setattr(row, name, values[name])
            row.content_hash = digest
            row.last_seen_at = now
            row.updated_at = now
            row.listed = True
            session.add(row)
            result.updated += 1
    session.flush()
    return result


def mark_unlisted(session: Session, source: str, seen_external_ids: Iterable[str]) -> int:
    """Mark the source's calls missing from a complete listing as no longer listed; returns how many."""
    seen = set(seen_external_ids)
    count = 0
    for row in session.exec(select(Call).where(Call.source == source, Call.listed == True)):  # noqa: E712
        if row.external_id not in seen:
            row.listed = False
            session.add(row)
            count += 1
    return count


def get_call(session: Session, source: str, external_id: str) -> Call | None:
    return session.exec(select(Call).where(Call.source == source, Call.external_id == external_id)).first()


def list_calls(
    session: Session,
    statuses: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
) -> list[Call]:
    """Calls in a stable order (source, external id), optionally filtered by status and source."""
    query = select(Call)
    if statuses:
        query = query.where(col(Call.status).in_(list(statuses)))
    if sources:
        query = query.where(col(Call.source).in_(list(sources)))
    return list(session.exec(query.order_by(Call.source, Call.external_id)))


def changes_for(session: Session, call_id: int) -> list[CallChange]:
    return list(session.exec(select(CallChange).where(CallChange.call_id == call_id).order_by(CallChange.id)))


def count_calls(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Call)).one()
