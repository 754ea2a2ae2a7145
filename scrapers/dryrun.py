"""Walks that store nothing: ``fundwatch sources check`` (report) and ``fundwatch record`` (save responses).

Both walk a source exactly as a scrape does (``scrapers.crawl``: same client, politeness, robots.txt,
caps and parsing) but write no calls and no runs, and send no conditional headers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from scrapers.base import SourceKind
from scrapers.crawl import crawl
from scrapers.http import Fetcher
from scrapers.recording import Recorder, ReplayTransport
from scrapers.registry import Registry, discover
from settings import Settings
from store.records import CallRecord

#: kinds of record that have no deadline (or opening) by nature
_UNDATED = ("scheme", "planned")
#: fields a call should have, and how to tell whether a record has them
CHECKED_FIELDS = {
    "title": lambda r: bool(r.title.strip()),
    "url": lambda r: bool(r.url.strip()),
    "deadline": lambda r: bool(r.deadlines) or r.kind in _UNDATED,
    "text": lambda r: bool((r.summary or r.description).strip()),
    "opens_at": lambda r: r.opens_at is not None or r.kind in _UNDATED,
    "programme": lambda r: bool(r.programme.strip()),
    "funder": lambda r: bool(r.funder.strip()),
    "applicants": lambda r: bool(r.applicant_types),
}


@dataclass
class SourceCheck:
    source: str
    kind: str
    #: HTTP status of each response (304 included), in order
    statuses: list[int] = field(default_factory=list)
    items: int = 0
    #: field -> how many items lack it
    missing: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    reason: str = ""
    error: str = ""
    #: responses saved (record only)
    saved: int = 0

    @property
    def ok(self) -> bool:
        return not self.reason and self.items > 0


def _walk(kind: SourceKind, fetcher: Fetcher, max_requests: int) -> SourceCheck:
    check = SourceCheck(kind.source, kind.name)
    records: dict[str, CallRecord] = {}
    for step in crawl(kind, fetcher, None, max_requests):
        if step.fetched is not None:
            check.statuses.append(step.fetched.status)
        if step.error is not None:
            if step.listing or step.fatal or not check.reason:
                check.reason, check.error = step.error.reason, str(step.error)
            continue
        if step.result is not None:
            check.warnings += len(step.result.warnings)
            records.update({r.external_id: r for r in step.result.records})
    check.items = len(records)
    for name, has in CHECKED_FIELDS.items():
        lacking = sum(1 for r in records.values() if not has(r))
        if lacking:
            check.missing[name] = lacking
    return check


def check_sources(
    settings: Settings,
    names: Iterable[str] | None = None,
    registry: Registry | None = None,
    replay_dir: str | Path | None = None,
) -> list[SourceCheck]:
    """Fetch and parse each enabled source (or those named) once and report what came back.

    With ``replay_dir`` and no ``names``, only the sources recorded there are checked (as ``run_scrape``).
    """
    registry = registry or discover()
    names = list(names or [])
    sources = registry.build(settings, names or None)
    if not names:
        sources = [s for s in sources if s.config.enabled]
    transport = ReplayTransport(replay_dir) if replay_dir is not None else None
    if transport is not None:
        if not names:
            sources = [s for s in sources if s.source in transport.sources]
        transport.as_recorded(sources)
    with Fetcher(settings.http, transport=transport) as fetcher:
        return [_walk(kind, fetcher, settings.scrape.max_requests) for kind in sources]


def record_source(settings: Settings, name: str, folder: str | Path, registry: Registry | None = None) -> SourceCheck:
    """Walk source ``name`` live and save every response (and robots.txt) into ``folder``."""
    registry = registry or discover()
    (kind,) = registry.build(settings, [name])
    recorder = Recorder(folder, kind.source)
    with Fetcher(settings.http, recorder=recorder) as fetcher:
        check = _walk(kind, fetcher, settings.scrape.max_requests)
    check.saved = recorder.count
    return check
