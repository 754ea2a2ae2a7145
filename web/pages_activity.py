"""Internationellt arbete: the register of international meetings, trainings and study visits (add, list, delete,
CSV), with the year's indicators. Reading follows the site's access rule; changes need a login: KLK for every
administration, staff for their own."""

from __future__ import annotations

import logging
from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from store.accounts import record_audit
from store.engine import read_session, write_session
from store.strategy import activity_years, add_activity, delete_activity, list_activities
from strategy.activities import KINDS, MODES, parse_activity
from strategy.indicators import activity_indicators
from web.accounts import can_give_feedback
from web.app import LoginRequired, current_user, flash, render, state
from web.csvout import csv_response
from web.guards import check_csrf
from web.strategy_view import relations_or_error

router = APIRouter()
log = logging.getLogger(__name__)


def partner_names(web) -> list[str]:
    """Twin towns and networks from KLK's relations file, as suggestions for the partner field."""
    relations, _ = relations_or_error(web)
    if relations is None:
        return []
    return [p.name for p in (*relations.twin_towns, *relations.networks) if p.active]


def _year(request: Request, years: list[int]) -> int:
    raw = request.query_params.get("year", "")
    if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return date.today().year if not years or date.today().year in years else years[0]


def _page(request: Request, values: dict | None = None, errors: dict | None = None, status_code: int = 200):
    web = state(request)
    user = current_user(request)
    with read_session(web.engine) as db:
        years = activity_years(db)
        year = _year(request, years)
        rows = list_activities(db, year)
    names = web.profiles.names()
    own = [pid for pid in names if can_give_feedback(user, pid)]
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return render(
        request,
        "activities.html",
        {
            "year": year,
            "years": years,
            "rows": rows,
            "figures": activity_indicators(rows, year),
            "names": names,
            "own_profiles": own,
            "kinds": KINDS,
            "modes": MODES,
            "values": values or {"held_on": date.today().isoformat(), "participants": "1", "mode": "web"},
            "errors": errors or {},
            "partner_names": partner_names(web),
            "can_delete": lambda a: user is not None and (user.role == "klk" or a.created_by == user.username),
        },
        status_code=status_code,
    )


@router.get("/activities", response_class=HTMLResponse)
def activities_page(request: Request) -> Response:
    return _page(request)


@router.post("/activities")
async def activities_add(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    user = current_user(request)
    if user is None:
        raise LoginRequired("/activities")
    web = state(request)
    values = {
        key: str(form.get(key, ""))
        for key in ("held_on", "profile_id", "kind", "partner", "participants", "mode", "note")
    }
    allowed = {pid for pid in web.profiles.names() if can_give_feedback(user, pid)}
    entry, errors = parse_activity(values, allowed, date.today())
    if entry is None:
        return _page(request, values, errors, status_code=422)
    with write_session(web.engine) as db:
        activity = add_activity(db, **entry.__dict__, created_by=user.username)
        record_audit(db, user.username, "activity.add", f"activity:{activity.id}", values)
    log.info("activity added by %s: %s %s with %s", user.username, entry.held_on, entry.kind, entry.partner)
    flash(request, f"Aktiviteten med {entry.partner} {entry.held_on.isoformat()} är registrerad.")
    return RedirectResponse(f"/activities?year={entry.held_on.year}", status_code=303)


@router.post("/activities/{activity_id}/delete")
async def activities_delete(request: Request, activity_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    user = current_user(request)
    if user is None:
        raise LoginRequired("/activities")
    web = state(request)
    with write_session(web.engine) as db:
        activity = delete_activity(db, activity_id)
        if activity is None:
            raise HTTPException(404, f"Det finns ingen aktivitet med nummer {activity_id}.")
        if user.role != "klk" and activity.created_by != user.username:
            raise HTTPException(403, "Du kan bara ta bort aktiviteter som du själv har registrerat.")
        detail = {
            "held_on": activity.held_on.isoformat() if activity.held_on else "",
            "profile_id": activity.profile_id,
            "kind": activity.kind,
            "partner": activity.partner,
            "participants": activity.participants,
            "mode": activity.mode,
        }
        record_audit(db, user.username, "activity.delete", f"activity:{activity_id}", detail)
        year = activity.held_on.year if activity.held_on else date.today().year
    flash(request, f"Aktiviteten med {detail['partner']} {detail['held_on']} är borttagen.")
    return RedirectResponse(f"/activities?year={year}", status_code=303)


@router.get("/export/activities.csv")
def activities_csv(request: Request) -> Response:
    web = state(request)
    names = web.profiles.names()
    raw = request.query_params.get("year", "")
    year = int(raw) if raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100 else None
    with read_session(web.engine) as db:
        rows = list_activities(db, year)
    header = ["id", "datum", "förvaltning", "typ", "partner", "deltagare", "form", "anteckning", "registrerad av"]
    body = [
        [
            a.id,
            a.held_on.isoformat() if a.held_on else "",
            names.get(a.profile_id, a.profile_id),
            KINDS.get(a.kind, a.kind),
            a.partner,
            a.participants,
            MODES.get(a.mode, a.mode),
            a.note,
            a.created_by,
        ]
        for a in rows
    ]
    return csv_response(f"internationellt-arbete{'-' + str(year) if year else ''}.csv", header, body)
