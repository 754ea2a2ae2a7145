"""Walking one source: its start requests, each response parsed, the follow-ups it asks for.

``crawl`` yields one ``Step`` per request, in order; it stores nothing. The runner (which upserts),
``fundwatch record`` (which saves the responses) and ``fundwatch sources check`` (which reports)
all walk a source through it, so they behave the same way.

Requests with ``role == "listing"`` (the start requests and further listing pages) carry the
source: when one of them fails, the walk stops and the run is a failure. Other requests (detail
pages) may fail one by one; they are counted, and after ``MAX_DETAIL_FAILURES`` in a row the walk
stops too (the host is probably down). Listing GETs are sent with the remembered validators; a 304
is yielded as such, with no parsing and no follow-ups.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from errors import SourceError
from scrapers.base import ParseResult, Request, SourceKind
from scrapers.http import Fetched, Fetcher, Validators

log = logging.getLogger(__name__)

MAX_DETAIL_FAILURES = 5


@dataclass
class Step:
    request: Request
    fetched: Fetched | None = None
    result: ParseResult | None = None
    error: SourceError | None = None
    #: this failure ended the walk
    fatal: bool = False

    @property
    def listing(self) -> bool:
        return self.request.role == "listing"


def _key(request: Request) -> tuple:
    return (request.method.upper(), request.url, request.files)


def crawl(
    kind: SourceKind,
    fetcher: Fetcher,
    validators: Mapping[str, Validators] | None = None,
    max_requests: int = 2000,
    follow: bool = True,
) -> Iterator[Step]:
    """Fetch and parse ``kind``'s requests one after another, yielding each step."""
    try:
        queue = deque(kind.start_requests())
    except Exception as exc:  # a kind's bug or bad options: this source fails, the others go on
        log.exception("source %s: start_requests failed", kind.source)
        yield Step(Request(url="", role="listing"), error=SourceError("config_error", f"{exc}"), fatal=True)
        return
    seen: set[tuple] = set()
    made = 0
    detail_failures = 0
    while queue:
        request = queue.popleft()
        if _key(request) in seen:
            continue
        seen.add(_key(request))
        if made >= max_requests:
            message = f"stopped after scrape.max_requests={max_requests} requests; {len(queue) + 1} left"
            yield Step(request, error=SourceError("too_many_requests", message), fatal=True)
            return
        made += 1
        step = _one(kind, fetcher, request, validators)
        if step.error is not None:
            detail_failures = 0 if step.listing else detail_failures + 1
            step.fatal = step.listing or detail_failures >= MAX_DETAIL_FAILURES
            yield step
            if step.fatal:
                return
            continue
        detail_failures = 0
        yield step
        if follow and step.result is not None:
            queue.extend(step.result.follow)


def _one(kind: SourceKind, fetcher: Fetcher, request: Request, validators: Mapping[str, Validators] | None) -> Step:
    conditional = None
    if validators and request.role == "listing" and request.method.upper() == "GET":
        conditional = validators.get(request.url)
    try:
        fetched = fetcher.fetch(request, kind.source, conditional, min_delay=getattr(kind.config, "min_delay", None))
    except SourceError as exc:
        return Step(request, error=exc)
    if fetched.not_modified or fetched.response is None:
        return Step(request, fetched=fetched)
    try:
        result = kind.parse(request, fetched.response)
    except SourceError as exc:  # the kind says what is wrong (e.g. layout_changed)
        log.warning("source %s: %s could not be parsed: %s: %s", kind.source, request.url, exc.reason, exc)
        return Step(request, fetched=fetched, error=exc)
    except Exception as exc:  # a kind's bug or a page it does not understand
        log.exception("source %s: parsing %s failed", kind.source, request.url)
        error = SourceError("parse_error", f"{request.url}: {type(exc).__name__}: {exc}")
        return Step(request, fetched=fetched, error=error)
    return Step(request, fetched=fetched, result=result)
