"""Driftstatus: each scheduled job's last run, result and next run, beside the sources' state (issue 6)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from settings import cron_trigger, job_schedules
from store.engine import read_session
from store.health import source_health
from store.jobs import last_job_runs
from web.app import render, state

router = APIRouter()
JOB_NAMES = {
    "scrape": "Hämtning från källorna (och matchning)",
    "digest": "Veckoutskick till förvaltningarna",
    "overview": "Kommunledningskontorets översikt",
    "reminders": "Påminnelser om deadlines",
    "reconcile": "Efterskick efter driftstopp",
}
OUTCOMES = {"ok": "Lyckades", "error": "Fel", "running": "Pågår"}


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request) -> HTMLResponse:
    web = state(request)
    settings = web.settings
    now = datetime.now(UTC)
    zone = ZoneInfo(settings.schedule.timezone)
    with read_session(web.engine) as db:
        runs = last_job_runs(db)
        health = source_health(db, [(s.name, s.kind, s.enabled) for s in settings.sources], now)
    jobs = []
    for name, expression in job_schedules(settings).items():
        base, _, source = name.partition(".")
        run = runs.get(name)
        jobs.append(
            {
                "name": JOB_NAMES.get(base, base) + (f" – {source}" if source else ""),
                "last": run.started_at if run else None,
                "outcome": OUTCOMES.get(run.outcome, run.outcome) if run else "Har inte körts",
                "message": (run.message.splitlines() or [""])[0][:200] if run else "",
                "next": cron_trigger(expression, settings.schedule.timezone).get_next_fire_time(
                    None, now.astimezone(zone)
                ),
            }
        )
    problems = [h for h in health if h.state in ("unhealthy", "stale")]
    return render(request, "status.html", {"jobs": jobs, "problems": problems, "sources": len(health)})
