"""Queries on web users and the audit trail. Password hashing is the web layer's job (web/accounts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from store.models_access import AuditEvent, User

#: longest detail text kept in one audit record (a profile diff can be long)
MAX_DETAIL_CHARS = 50_000


def get_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.username)))


def add_user(
    session: Session,
    username: str,
    role: str,
    password_hash: str,
    profiles: Sequence[str] = (),
    display_name: str = "",
    now: datetime | None = None,
) -> User:
    """Insert a user; the caller has checked that the name is free and the role is known."""
    now = now or datetime.now(UTC)
    user = User(
        username=username,
        role=role,
        password_hash=password_hash,
        profiles=sorted(set(profiles)),
        display_name=display_name,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    return user


def set_password_hash(session: Session, user: User, password_hash: str, now: datetime | None = None) -> None:
    user.password_hash = password_hash
    user.updated_at = now or datetime.now(UTC)
    session.add(user)
    session.flush()


def remove_user(session: Session, username: str) -> bool:
    user = get_user(session, username)
    if user is None:
        return False
    session.delete(user)
    session.flush()
    return True


def record_audit(
    session: Session,
    actor: str,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one audit record in the caller's transaction (so it exists exactly when the change does)."""
    detail = dict(detail or {})
    for key, value in detail.items():
        if isinstance(value, str) and len(value) > MAX_DETAIL_CHARS:
            detail[key] = value[:MAX_DETAIL_CHARS] + "\n[... cut]"
    event = AuditEvent(at=now or datetime.now(UTC), actor=actor, action=action, target=target, detail=detail)
    session.add(event)
    session.flush()
    return event


def audit_events(
    session: Session,
    action: str = "",
    target: str = "",
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[AuditEvent]]:
    """Audit records, newest first, optionally of one action or target; returns (total, page)."""
    query = select(AuditEvent)
    counted = select(func.count()).select_from(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
        counted = counted.where(AuditEvent.action == action)
    if target:
        query = query.where(AuditEvent.target == target)
        counted = counted.where(AuditEvent.target == target)
    total = session.scalar(counted) or 0
    rows = session.exec(query.order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit))
    return total, list(rows)


def login_target(username: str) -> str:
    """The audit target of a login attempt for ``username``."""
    return f"user:{username}"


def failed_logins(
    session: Session, username: str, address: str, since: datetime
) -> tuple[list[datetime], list[datetime]]:
    """The times (oldest first) of failed logins since ``since``, read from the audit trail (so every web process
    sees the same counts): those for ``username`` after its last successful login, and those from ``address``."""
    recent = [AuditEvent.action == "login.failed", col(AuditEvent.at) >= since]
    last_success = session.exec(
        select(AuditEvent.at)
        .where(AuditEvent.action == "login", AuditEvent.target == login_target(username), col(AuditEvent.at) >= since)
        .order_by(col(AuditEvent.at).desc())
        .limit(1)
    ).first()
    by_user = select(AuditEvent.at).where(*recent, AuditEvent.target == login_target(username))
    if last_success is not None:
        by_user = by_user.where(col(AuditEvent.at) > last_success)
    by_address = select(AuditEvent.at).where(*recent, AuditEvent.detail["address"].as_string() == address)
    return (
        list(session.exec(by_user.order_by(col(AuditEvent.at)))),
        list(session.exec(by_address.order_by(col(AuditEvent.at)))),
    )
