"""CallRecord: a call as a source (or an import file) describes it, before it is stored."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

#: fields whose change is recorded as a CallChange (in this order)
TRACKED_FIELDS = (
    "title",
    "url",
    "funder",
    "programme",
    "summary",
    "description",
    "language",
    "status",
    "kind",
    "opens_at",
    "deadline_at",
    "deadlines",
    "budget",
    "applicant_types",
    "extra",
)


@dataclass
class CallRecord:
    """One call as parsed from a source. ``deadlines`` holds every cut-off, ascending."""

    source: str
    external_id: str
    title: str
    url: str
    funder: str = ""
    programme: str = ""
    summary: str = ""
    description: str = ""
    language: str = ""
    status: str = "open"
    kind: str = "call"
    opens_at: datetime | None = None
    deadlines: list[datetime] = field(default_factory=list)
    budget: str = ""
    applicant_types: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("opens_at",):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name}: naive datetime; give a time zone")
        if any(d.tzinfo is None for d in self.deadlines):
            raise ValueError("deadlines: naive datetime; give a time zone")
        self.deadlines = sorted(set(self.deadlines))

    @property
    def deadline_at(self) -> datetime | None:
        """The final deadline: when the call closes."""
        return self.deadlines[-1] if self.deadlines else None

    def stored_values(self) -> dict[str, Any]:
        """The tracked fields as they are stored in the ``call`` table."""
        values = {name: getattr(self, name) for name in TRACKED_FIELDS if name not in ("deadlines",)}
        values["deadlines"] = [iso(d) for d in self.deadlines]
        return values

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 text of an aware datetime, normalised to UTC so equal instants compare equal."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat()


def canonical(value: Any) -> str | None:
    """Text form of a stored value, used for hashing and for CallChange old/new values."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def content_hash(values: dict[str, Any]) -> str:
    """SHA-256 over the tracked fields; equal hash means nothing worth recording changed."""
    payload = json.dumps({k: canonical(values.get(k)) for k in TRACKED_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
