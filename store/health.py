"""Source health, derived from the recorded scrape runs (nothing is stored besides the runs).

Rules (``../shared/RELIABILITY.md`` R2, R6, R7, R12), for the runs of one source, newest first:

- A run is successful when its outcome is ``ok`` or ``not_modified`` (304: the listing is unchanged).
  ``error`` and ``skipped`` (e.g. robots.txt unavailable) are failures.
- Unhealthy when the last run failed (reason = the run's reason).
- Unhealthy ``layout_changed`` when the two latest counted runs both found zero calls while the
  median of the runs before them was above zero. The first zero run raises nothing; the alert
  lasts until a run finds calls again. (A counted run is an ``ok`` run; 304 runs carry no count.)
- Unhealthy ``drop`` when the latest counted run found calls, but fewer than half the median of
  the runs before it.
- Stale when no run succeeded for ``stale_after`` (7 days); shown even when unhealthy too.
- Never disabled automatically: after ``backoff_after`` (10) consecutive failures a source is
  attempted less often, the wait doubling from ``backoff_base`` up to ``max_backoff`` (24 h), and
  an alert says so. ``next_attempt_at`` is when it runs again.

Alerts are short Swedish sentences: staff and KLK read them.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from store.models import ScrapeRun

SUCCESS = ("ok", "not_modified")


def latest_runs(session: Session) -> dict[str, ScrapeRun]:
    """The most recent run of each source."""
    newest = select(ScrapeRun.source, func.max(ScrapeRun.id).label("id")).group_by(ScrapeRun.source).subquery()
    rows = session.exec(select(ScrapeRun).join(newest, ScrapeRun.id == newest.c.id))
    return {row.source: row for row in rows}


def recent_runs(session: Session, source: str, limit: int = 60) -> list[ScrapeRun]:
    """The source's latest runs, newest first."""
    query = select(ScrapeRun).where(ScrapeRun.source == source).order_by(ScrapeRun.id.desc()).limit(limit)
    return list(session.exec(query))


@dataclass(frozen=True)
class HealthPolicy:
    stale_after: timedelta = timedelta(days=7)
    backoff_after: int = 10
    backoff_base: timedelta = timedelta(hours=1)
    max_backoff: timedelta = timedelta(hours=24)
    #: counted runs the median is taken over
    window: int = 10


def policy_of(scrape: Any) -> HealthPolicy:
    """The policy the ``[scrape]`` settings (``settings.scrape``) describe."""
    return HealthPolicy(
        stale_after=timedelta(days=scrape.stale_days),
        backoff_after=scrape.backoff_after_failures,
        max_backoff=timedelta(hours=scrape.max_backoff_hours),
    )


@dataclass(frozen=True)
class SourceHealth:
    """A source's state as shown to people (``fundwatch sources``, the Källor page, KLK's overview)."""

    name: str
    kind: str
    #: ok | unhealthy | stale | never_run | disabled
    state: str
    last_run_at: datetime | None = None
    last_ok_at: datetime | None = None
    #: message of the most recent failed run (also after the source recovered) and when it happened
    last_error: str = ""
    last_error_at: datetime | None = None
    #: short reason code of the last failure (timeout, http_error, blocked, layout_changed, drop, ...)
    reason: str = ""
    consecutive_failures: int = 0
    last_count: int | None = None
    #: human-readable alerts, in Swedish where people read them ("Layout ändrad?", "Inga svar på 7 dagar")
    alerts: tuple[str, ...] = ()
    #: outcome of the last run: ok | not_modified | error | skipped
    last_outcome: str = ""
    #: counts of the last run
    last_parsed: int = 0
    last_fetched: int = 0
    last_new: int = 0
    last_updated: int = 0
    last_errors: int = 0
    #: median count of the recent counted runs before the last one (None without history)
    median_count: float | None = None
    stale: bool = False
    #: when a source in failure backoff is attempted again (None: at the next scheduled run)
    next_attempt_at: datetime | None = None


def source_health(
    session: Session,
    sources: Sequence[tuple[str, str, bool]],
    now: datetime,
    policy: HealthPolicy | None = None,
) -> list[SourceHealth]:
    """Health of each ``(name, kind, enabled)`` source, in the given order."""
    policy = policy or HealthPolicy()
    depth = max(60, policy.backoff_after + policy.window + 5)
    return [
        evaluate(name, kind, enabled, recent_runs(session, name, depth), now, policy) for name, kind, enabled in sources
    ]


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M} UTC" if value else "aldrig"


def evaluate(
    name: str, kind: str, enabled: bool, runs: Sequence[ScrapeRun], now: datetime, policy: HealthPolicy
) -> SourceHealth:
    """Health from the source's runs (newest first). Pure: no database access."""
    if not runs:
        return SourceHealth(name, kind, "disabled" if not enabled else "never_run")
    last = runs[0]
    failures = 0
    for run in runs:
        if run.outcome in SUCCESS:
            break
        failures += 1
    last_ok = next((r for r in runs if r.outcome in SUCCESS), None)
    counts = [r.parsed for r in runs if r.outcome == "ok"]
    alerts: list[str] = []
    unhealthy_reason = ""
    median: float | None = None

    if failures:
        unhealthy_reason = last.reason or "error"
        times = f" ({failures} gånger i rad)" if failures > 1 else ""
        alerts.append(f"Senaste hämtningen misslyckades{times}: {unhealthy_reason}: {last.error}".strip())
    if counts:
        zeros = next((i for i, c in enumerate(counts) if c > 0), len(counts))
        before = counts[max(zeros, 1) : max(zeros, 1) + policy.window]
        median = _median(before)
        if not failures and zeros >= 2 and median:
            unhealthy_reason = "layout_changed"
            alerts.append(
                f"Layout ändrad? Inga utlysningar hittades de {zeros} senaste gångerna (tidigare cirka {median:g})."
            )
        elif not failures and zeros == 0 and median and counts[0] < median / 2:
            unhealthy_reason = "drop"
            alerts.append(f"Antalet utlysningar föll till {counts[0]} från cirka {median:g}. Har sidan ändrats?")

    since = last_ok.started_at if last_ok else runs[-1].started_at
    stale = since is not None and now - since >= policy.stale_after
    if stale:
        alerts.append(f"Ingen lyckad hämtning sedan {_when(last_ok.started_at if last_ok else None)}.")

    next_attempt = None
    if failures >= policy.backoff_after:
        wait = min(policy.max_backoff, policy.backoff_base * 2 ** (failures - policy.backoff_after))
        next_attempt = last.started_at + wait
        alerts.append(
            f"Har misslyckats {failures} gånger i rad. Källan är inte avstängd: nästa försök {_when(next_attempt)}."
        )

    if not enabled:
        state = "disabled"
    elif unhealthy_reason:
        state = "unhealthy"
    elif stale:
        state = "stale"
    else:
        state = "ok"
    failed = next((r for r in runs if r.outcome not in SUCCESS), None)
    return SourceHealth(
        name=name,
        kind=kind,
        state=state,
        last_run_at=last.started_at,
        last_ok_at=last_ok.started_at if last_ok else None,
        last_error=(failed.error or failed.reason) if failed else "",
        last_error_at=failed.started_at if failed else None,
        reason=unhealthy_reason,
        consecutive_failures=failures,
        last_count=counts[0] if counts else None,
        alerts=tuple(alerts),
        last_outcome=last.outcome,
        last_parsed=last.parsed,
        last_fetched=last.fetched,
        last_new=last.new,
        last_updated=last.updated,
        last_errors=last.errors,
        median_count=median,
        stale=stale,
        next_attempt_at=next_attempt,
    )
