"""Operator alerts: things a person must know about (a message re-sent after a crash, a failed delivery)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from store.digest_tables import Alert

__all__ = ["open_alerts", "record_alert", "resolve_alert"]


def record_alert(session: Session, kind: str, subject: str, message: str, now: datetime) -> Alert:
    alert = Alert(kind=kind[:40], subject=subject[:300], message=message, created_at=now)
    session.add(alert)
    session.flush()
    return alert


def open_alerts(session: Session, since: datetime | None = None, kind: str | None = None) -> list[Alert]:
    """Unresolved alerts, oldest first (optionally only those created after ``since`` or of one kind)."""
    query = select(Alert).where(col(Alert.resolved_at).is_(None)).order_by(Alert.id)
    if since is not None:
        query = query.where(col(Alert.created_at) >= since)
    if kind is not None:
        query = query.where(Alert.kind == kind)
    return list(session.exec(query))


def resolve_alert(session: Session, alert_id: int, now: datetime) -> bool:
    alert = session.get(Alert, alert_id)
    if alert is None or alert.resolved_at is not None:
        return False
    alert.resolved_at = now
    session.add(alert)
    session.flush()
    return True
