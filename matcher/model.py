"""The matcher's inputs and results: plain dataclasses, no database types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CallId = int | str


@dataclass(frozen=True)
class CallText:
    """What the matcher needs to know about one call."""

    id: CallId
    source: str = ""
    external_id: str = ""
    title: str = ""
    summary: str = ""
    description: str = ""
    #: ``sv``/``en``; anything else (or empty) is detected from the text
    language: str = ""
    funder: str = ""
    programme: str = ""
    status: str = "open"
    kind: str = "call"
    applicant_types: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    #: ISO date the call opens (used only by the keyword baseline's "newest first")
    opens_at: str = ""

    @classmethod
    def from_record(cls, obj: Any, id: CallId | None = None) -> CallText:
        """From any object with call attributes (``store.models.Call``, ``CallRecord``, a namespace)."""
        get = obj.get if isinstance(obj, Mapping) else lambda name, default=None: getattr(obj, name, default)
        source, external_id = get("source", "") or "", get("external_id", "") or ""
        call_id = id if id is not None else get("id", None)
        if call_id is None:
            call_id = f"{source}:{external_id}"
        opens = get("opens_at", None)
        return cls(
            id=call_id,
            source=source,
            external_id=external_id,
            title=get("title", "") or "",
            summary=get("summary", "") or "",
            description=get("description", "") or "",
            language=get("language", "") or "",
            funder=get("funder", "") or "",
            programme=get("programme", "") or "",
            status=get("status", "open") or "open",
            kind=get("kind", "call") or "call",
            applicant_types=tuple(get("applicant_types", ()) or ()),
            extra=dict(get("extra", {}) or {}),
            opens_at=opens.isoformat() if hasattr(opens, "isoformat") else str(opens or ""),
        )

    @property
    def key(self) -> str:
        """``source:external_id``: how people and the CLI name a call."""
        return f"{self.source}:{self.external_id}"


@dataclass
class Scored:
    """One call's score for one profile, with the explanation people see.

    ``score`` is between 0 and 1; ``priority`` is the title of the profile priority the call serves
    best; ``reasons`` are short Swedish sentences; ``terms`` are the words that contributed most, as
    ``{"term": profile's word, "call_term": call's word, "weight": share of the score}``.
    """

    call_id: CallId
    score: float
    priority: str = ""
    reasons: list[str] = field(default_factory=list)
    terms: list[dict[str, Any]] = field(default_factory=list)

    def explanation(self) -> dict[str, Any]:
        """Exactly what is stored in ``Match.explanation``."""
        return {"priority": self.priority, "reasons": list(self.reasons), "terms": [dict(t) for t in self.terms]}


@dataclass(frozen=True)
class Moved:
    call_id: CallId
    old_rank: int
    new_rank: int
    scored: Scored


@dataclass
class Preview:
    """How an edit (or feedback) changes a profile's top list. Ranks are 1-based."""

    before: list[Scored]
    after: list[Scored]
    #: in the new top list but not in the old one
    entered: list[Scored]
    #: in the old top list but not in the new one (as they were scored before)
    left: list[Scored]
    #: in both, at a different rank
    moved: list[Moved]

    @property
    def changed(self) -> bool:
        return bool(self.entered or self.left or self.moved)
