"""``run_scrape``: every enabled source fetched, parsed and stored; one ScrapeRun row per source.

Sources run concurrently (``scrape.concurrency`` threads) on one shared ``Fetcher``, so requests
to one host stay one at a time and ``http.min_delay`` apart whichever sources make them. Each
source: walk it (``scrapers.crawl``), upsert its calls in batches (each a ``write_session``), mark
calls missing from a complete listing as no longer listed, remember the validators of the listings
it parsed, and record the run. A failing source never stops the others.

Listing GETs are made conditional with the ETag / Last-Modified of their last successfully parsed
answer, but only when that answer asked for no follow-ups (a feed, a last page): a 304 is not
parsed, so it must not hide pages that only its parse would lead to.

Calls are marked unlisted only after a clean run: the kind said the listing was complete, no
listing request failed or answered 304, and at least one call was found (a redesigned page that
yields nothing must not unlist everything).

A source in failure backoff (see ``store.health``) is skipped until its next attempt is due,
unless ``force``; nothing is ever disabled. After the sources, when any source read calls, the
duplicate groups (the same call at several sources, ``store.groups``) are recomputed.

Crash safety (D3): each batch is one transaction, so a killed scrape leaves whole batches or none; a
re-run upserts the same records again and converges. ``crashpoints`` names the points the crash tests
kill the process at.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from crashpoints import crash_point
from errors import SourceError
from scrapers.base import SourceKind
from scrapers.crawl import crawl
from scrapers.http import Fetcher, Validators
from scrapers.recording import ReplayTransport
from scrapers.registry import Registry, discover
from settings import Settings
from store.calls import mark_unlisted, upsert_calls
from store.engine import read_session, write_session
from store.groups import refresh_groups
from store.health import HealthPolicy, policy_of, source_health
from store.models import ScrapeRun
from store.records import CallRecord, content_hash
from store.validators import load_validators, save_validators

log = logging.getLogger(__name__)

BATCH = 200
#: ScrapeRun.reason / error column limits
_REASON_LEN, _ERROR_LEN = 40, 4000


@dataclass
class SourceRunResult:
    source: str
    kind: str
    #: ok | not_modified | error | skipped
    outcome: str = "ok"
    reason: str = ""
    error: str = ""
    fetched: int = 0
    parsed: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    not_modified: int = 0
    unlisted: int = 0
    seconds: float = 0.0
    #: False when nothing was recorded (a source skipped for backoff)
    recorded: bool = True

    @property
    def failed(self) -> bool:
        return self.outcome in ("error", "skipped") and self.recorded


#: progress(event, result): event is "start" or "done"; called from worker threads
Progress = Callable[[str, SourceRunResult], None]


def health_policy(settings: Settings) -> HealthPolicy:
    return policy_of(settings.scrape)


def run_scrape(
    settings: Settings,
    engine: Engine,
    names: Iterable[str] | None = None,
    replay_dir: str | Path | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    *,
    registry: Registry | None = None,
    force: bool = False,
    refresh: bool = False,
    recorded_only: bool = False,
) -> list[SourceRunResult]:
    """Scrape the enabled sources (or those ``names``d, enabled or not); results in configuration order.

    ``replay_dir`` answers every request from a recording (no network); without ``names`` (or with
    ``recorded_only``) it runs only the sources recorded there, each as on its recording's day.
    Requests the recording cannot answer are logged as one warning. ``refresh`` ignores remembered
    ETag/Last-Modified; ``force`` runs sources that are in failure backoff.
    """
    registry = registry or discover()
    names = list(names or [])
    transport = ReplayTransport(replay_dir) if replay_dir is not None else None
    sources = registry.build(settings, names or None)
    if not names:
        sources = [s for s in sources if s.config.enabled]
    if transport is not None:
        if not names or recorded_only:
            sources = [s for s in sources if s.source in transport.sources]
        transport.as_recorded(sources)
    fixed_now = now

    with Fetcher(settings.http, transport=transport) as fetcher:
        due, skipped = _due(settings, engine, sources, fixed_now or datetime.now(UTC), force)

        def work(kind: SourceKind) -> SourceRunResult:
            conditional = not refresh and transport is None
            return _run_source(settings, engine, kind, fetcher, fixed_now, progress, conditional)

        workers = max(1, min(settings.scrape.concurrency, len(due)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scrape") as pool:
            results = {r.source: r for r in pool.map(work, due)}
    results.update({r.source: r for r in skipped})
    for result in skipped:
        if progress:
            progress("done", result)
    crash_point("scrape.before_regroup")
    # after every scrape that read calls, not only when some changed: a run killed before this point
    # stored its changes without grouping them, and its re-run finds nothing changed (D3)
    if any(r.parsed or r.unlisted for r in results.values()):
        regroup(engine, fixed_now)
    if transport is not None and transport.misses:
        shown = "; ".join(transport.misses[:10]) + ("; ..." if len(transport.misses) > 10 else "")
        log.warning("replay from %s: %d requests not in the recording: %s", replay_dir, len(transport.misses), shown)
    return [results[s.source] for s in sources if s.source in results]


def regroup(engine: Engine, now: datetime | None = None) -> int:
    """Recompute the duplicate groups after calls changed (``store.groups``); a failure is logged, not raised."""
    try:
        with write_session(engine) as session:
            changed = refresh_groups(session, now)
    except SQLAlchemyError as exc:
        log.error("grouping duplicate calls failed: %s", exc)
        return 0
    if changed:
        log.info("duplicate groups: %d calls changed group", changed)
    return changed


def _due(
    settings: Settings, engine: Engine, sources: list[SourceKind], now: datetime, force: bool
) -> tuple[list[SourceKind], list[SourceRunResult]]:
    if force or not sources:
        return sources, []
    with read_session(engine) as session:
        health = source_health(session, [(s.source, s.name, True) for s in sources], now, health_policy(settings))
    due, skipped = [], []
    for kind, h in zip(sources, health, strict=True):
        if h.next_attempt_at is not None and now < h.next_attempt_at:
            message = (
                f"{h.consecutive_failures} failures in a row; next attempt at {h.next_attempt_at:%Y-%m-%d %H:%M} UTC"
            )
            skipped.append(SourceRunResult(kind.source, kind.name, "skipped", "backoff", message, recorded=False))
        else:
            due.append(kind)
    return due, skipped


def _run_source(
    settings: Settings,
    engine: Engine,
    kind: SourceKind,
    fetcher: Fetcher,
    now: datetime | None,
    progress: Progress | None,
    conditional: bool,
) -> SourceRunResult:
    result = SourceRunResult(kind.source, kind.name)
    started = now or datetime.now(UTC)
    clock = time.monotonic()
    if progress:
        progress("start", result)
    run = _SourceRun(kind, engine, result, started)
    try:
        validators: dict[str, Validators] = {}
        if conditional:
            with read_session(engine) as session:
                validators = {url: Validators(*pair) for url, pair in load_validators(session, kind.source).items()}
        run.walk(fetcher, validators, settings.scrape.max_requests)
    except SQLAlchemyError as exc:
        result.outcome, result.reason = "error", "database_error"
        result.error = f"storing failed: {exc}"
        log.error("source %s: storing failed: %s", kind.source, exc)
    except Exception as exc:  # never let one source stop the others
        log.exception("source %s: unexpected failure", kind.source)
        result.outcome, result.reason, result.error = "error", "internal_error", f"{type(exc).__name__}: {exc}"
    result.seconds = time.monotonic() - clock
    finished = started + timedelta(seconds=result.seconds)
    try:
        with write_session(engine) as session:
            session.add(
                ScrapeRun(
                    source=kind.source,
                    started_at=started,
                    finished_at=finished,
                    outcome=result.outcome,
                    reason=result.reason[:_REASON_LEN],
                    error=result.error[:_ERROR_LEN],
                    fetched=result.fetched,
                    parsed=result.parsed,
                    new=result.new,
                    updated=result.updated,
                    unchanged=result.unchanged,
                    errors=result.errors,
                )
            )
            save_validators(session, kind.source, run.validators, finished)
    except SQLAlchemyError as exc:
        log.error("source %s: recording the run failed: %s", kind.source, exc)
        result.outcome, result.reason = "error", "database_error"
        result.error = f"recording the run failed: {exc}"
    level = logging.INFO if result.outcome in ("ok", "not_modified") else logging.WARNING
    log.log(
        level,
        "source %s: %s%s; %d fetched, %d calls (%d new, %d updated), %d errors, %.1f s",
        kind.source,
        result.outcome,
        f" ({result.reason})" if result.reason else "",
        result.fetched,
        result.parsed,
        result.new,
        result.updated,
        result.errors,
        result.seconds,
    )
    if progress:
        progress("done", result)
    return result


@dataclass
class _SourceRun:
    """One source's walk, turned into batched upserts and counts."""

    kind: SourceKind
    engine: Engine
    result: SourceRunResult
    now: datetime
    validators: dict[str, tuple[str, str]] = field(default_factory=dict)
    _pending: dict[str, CallRecord] = field(default_factory=dict)
    _stored: dict[str, str] = field(default_factory=dict)

    def walk(self, fetcher: Fetcher, validators: dict[str, Validators], max_requests: int) -> None:
        result = self.result
        complete, clean = False, True
        listing_error: SourceError | None = None
        listing_seen = listing_304 = 0
        for step in crawl(self.kind, fetcher, validators, max_requests):
            if step.fetched is not None:
                result.fetched += 1
            if step.listing:
                listing_seen += 1
            if step.error is not None:
                clean = False
                if step.listing or step.fatal:
                    listing_error = step.error
                else:
                    result.errors += 1
                continue
            if step.fetched is not None and step.fetched.not_modified:
                result.not_modified += 1
                listing_304 += step.listing
                continue
            parsed = step.result
            result.errors += len(parsed.warnings)
            for warning in parsed.warnings[:20]:
                log.info("source %s: skipped an item: %s", self.kind.source, warning)
            complete = complete or parsed.complete_listing
            for record in parsed.records:
                self._add(record)
            if step.listing and step.request.method.upper() == "GET" and step.fetched is not None:
                # only a response that asked for no follow-ups may be skipped by a 304 next time:
                # otherwise the 304 would hide the pages it leads to
                found = step.fetched.validators if not parsed.follow else Validators()
                self.validators[step.request.url] = (found.etag, found.last_modified)
            if len(self._pending) >= BATCH:
                self._flush()
        self._flush()
        result.parsed = len(self._stored)
        if listing_error is not None:
            result.outcome = "skipped" if listing_error.reason == "robots_unavailable" else "error"
            result.reason, result.error = listing_error.reason, str(listing_error)
        elif listing_seen and listing_304 == listing_seen and not self._stored:
            result.outcome = "not_modified"
        if complete and clean and not listing_304 and self._stored and listing_error is None:
            with write_session(self.engine) as session:
                result.unlisted = mark_unlisted(session, self.kind.source, self._stored)

    def _add(self, record: CallRecord) -> None:
        if record.source != self.kind.source:
            record = replace(record, source=self.kind.source)
        digest = content_hash(record.stored_values())
        if self._stored.get(record.external_id) == digest:
            return
        self._pending[record.external_id] = record
        self._stored[record.external_id] = digest

    def _flush(self) -> None:
        if not self._pending:
            return
        with write_session(self.engine) as session:
            upserted = upsert_calls(session, list(self._pending.values()), now=self.now)
            session.flush()
            crash_point("scrape.batch_uncommitted")
        crash_point("scrape.after_batch")
        self._pending.clear()
        self.result.new += upserted.new
        self.result.updated += upserted.updated
        self.result.unchanged += upserted.unchanged
