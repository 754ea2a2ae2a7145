"""Helpers kinds share to build call records: the response's clock, status from dates, records in contexts."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any

from scrapers.base import Response
from scrapers.dates import http_date
from store.interchange import derive_status
from store.records import CallRecord


def response_time(response: Response) -> datetime:
    """When the response was made: its ``Date`` header, so replaying a recording gives the same statuses.

    Only a response without a readable ``Date`` header falls back to the current time.
    """
    return http_date(response.headers.get("date")) or datetime.now(UTC)


def status_at(opens_at: datetime | None, deadlines: list[datetime], now: datetime) -> str:
    """``forthcoming``, ``open`` or ``closed`` from the dates as they stand at ``now``."""
    return derive_status(opens_at, deadlines, now)


def freeze(record: CallRecord) -> str:
    """A record as JSON text, to travel (hashable) in a follow-up request's context."""
    data = record.as_dict()
    data["opens_at"] = record.opens_at.isoformat() if record.opens_at else None
    data["deadlines"] = [d.isoformat() for d in record.deadlines]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def thaw(text: str) -> CallRecord:
    """The record :func:`freeze` wrote."""
    data: dict[str, Any] = json.loads(text)
    data["opens_at"] = datetime.fromisoformat(data["opens_at"]) if data.get("opens_at") else None
    data["deadlines"] = [datetime.fromisoformat(d) for d in data.get("deadlines") or []]
    known = {f.name for f in fields(CallRecord)}
    return CallRecord(**{k: v for k, v in data.items() if k in known})


def fill(record: CallRecord, **values: Any) -> CallRecord:
    """A copy of ``record`` whose empty fields take the given values (set fields are kept)."""
    changes = {}
    for name, value in values.items():
        if value in (None, "", [], {}):
            continue
        if getattr(record, name) in (None, "", [], {}):
            changes[name] = value
    return replace(record, **changes) if changes else record
