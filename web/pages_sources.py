"""Källor: every configured source with its state, last success, last error, runs over time and URLs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from store.browse import last_errors, last_success, run_histories
from store.engine import read_session
from store.health import latest_runs
from store.models import ScrapeRun
from web.app import render, state
from web.charts import Bar, bar_chart
from web.csvout import csv_response
from web.formatting import OUTCOME, datetime_sv, safe_href

router = APIRouter()

#: a source without a successful run for this long is shown as stale (RELIABILITY R12)
STALE_AFTER = timedelta(days=7)
STATE_LABELS = {
    "ok": "I drift",
    "unhealthy": "Fel vid senaste körningen",
    "stale": "Inaktuell: ingen lyckad körning på 7 dagar",
    "never_run": "Har inte körts",
    "disabled": "Avstängd",
}


@dataclass
class SourceView:
    name: str
    kind: str
    enabled: bool
    state: str
    last_run: ScrapeRun | None
    last_ok_at: datetime | None
    last_error: ScrapeRun | None
    #: rows of store.browse.HISTORY_COLUMNS, oldest first
    history: list[Any]
    chart: str
    urls: list[tuple[str, str]] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)


def source_state(enabled: bool, last_run: ScrapeRun | None, last_ok: datetime | None, now: datetime) -> str:
    if not enabled:
        return "disabled"
    if last_run is None:
        return "never_run"
    if last_ok is not None and now - last_ok > STALE_AFTER:
        return "stale"
    if last_ok is None or last_run.outcome not in ("ok", "not_modified"):
        return "unhealthy"
    return "ok"


def configured_urls(source) -> list[tuple[str, str]]:
    """(setting name, URL) for every URL-looking value of a source's settings."""
    out = []
    for key, value in sorted((source.model_extra or {}).items()):
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and item.strip().lower().startswith(("http://", "https://")):
                out.append((key, item))
    return out


def source_views(web) -> list[SourceView]:
    now = datetime.now(UTC)
    with read_session(web.engine) as db:
        latest = latest_runs(db)
        ok = last_success(db)
        failed = last_errors(db)
        names = [s.name for s in web.settings.sources] + sorted(set(latest) - {s.name for s in web.settings.sources})
        histories = run_histories(db, names)
    configured = {s.name: s for s in web.settings.sources}
    views = []
    for name in names:
        source = configured.get(name)
        enabled = source.enabled if source else False
        history = histories[name]
        bars = [
            Bar(
                f"{datetime_sv(run.started_at)} ({OUTCOME.get(run.outcome, run.outcome)})",
                run.parsed,
                run.outcome == "error",
            )
            for run in history
        ]
        views.append(
            SourceView(
                name=name,
                kind=source.kind if source else "(ej konfigurerad)",
                enabled=enabled,
                state=source_state(enabled, latest.get(name), ok.get(name), now),
                last_run=latest.get(name),
                last_ok_at=ok.get(name),
                last_error=failed.get(name),
                history=history,
                chart=bar_chart(
                    bars, f"Antal utlysningar per körning för {name}, de senaste {len(history)} körningarna"
                ),
                urls=[(k, u) for k, u in configured_urls(source) if safe_href(u)] if source else [],
            )
        )
    return views


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request) -> Response:
    return render(request, "sources.html", {"sources": source_views(state(request))})


@router.get("/sources.csv")
def sources_csv(request: Request) -> Response:
    rows = []
    for view in source_views(state(request)):
        rows.append(
            [
                view.name,
                view.kind,
                "ja" if view.enabled else "nej",
                view.state_label,
                datetime_sv(view.last_run.started_at, "") if view.last_run else "",
                datetime_sv(view.last_ok_at, ""),
                datetime_sv(view.last_error.started_at, "") if view.last_error else "",
                view.last_error.reason if view.last_error else "",
                view.last_error.error if view.last_error else "",
                view.last_run.parsed if view.last_run else "",
                " ".join(u for _, u in view.urls),
            ]
        )
    header = [
        "källa",
        "typ",
        "aktiv",
        "läge",
        "senaste körning",
        "senaste lyckade",
        "senaste fel",
        "felkod",
        "felmeddelande",
        "antal senast",
        "adresser",
    ]
    return csv_response("kallor.csv", header, rows)
