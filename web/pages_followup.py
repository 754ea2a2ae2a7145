"""Uppföljning: saving an administration's follow-up of a call (the form on the call page), and the list of
every follow-up (``/followup``) with filters and a CSV download (``/followup.csv``).

Saving needs a login and a user allowed to act for that administration (``web.accounts.can_give_feedback``);
a KLK user may also correct a status backwards. Errors are shown by field on the call page (status 422).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from store.engine import read_session, write_session
from store.followup import FollowUpConflict, followup_years, list_followups, save_followup
from store.followup_rules import STATUS_SV, FollowUpInvalid
from store.models_followup import FOLLOWUP_STATUSES
from web.accounts import can_give_feedback
from web.app import LoginRequired, current_user, flash, render, state
from web.csvout import csv_response
from web.followup_view import FollowUpForm, amount_text, rate_text, submitted_values
from web.formatting import datetime_sv
from web.guards import check_csrf
from web.pages_call import call_context

router = APIRouter()


@router.post("/calls/{call_id}/followup")
async def save(request: Request, call_id: int) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    user = current_user(request)
    if user is None:
        raise LoginRequired(f"/calls/{call_id}")
    web = state(request)
    names = web.profiles.names()
    key = str(form.get("form_key", ""))
    profile_id = str(form.get("profile_id", "")).strip()
    values = submitted_values(form)
    if key == "new" and not profile_id:
        return _again(request, call_id, key, profile_id, values, {"profile_id": "Välj förvaltning."})
    if profile_id not in names:
        raise HTTPException(422, "Okänd förvaltning.")
    if not can_give_feedback(user, profile_id):
        raise HTTPException(403, "Du kan bara följa upp utlysningar för dina egna förvaltningar.")
    try:
        with write_session(web.engine) as db:
            record, changes = save_followup(
                db,
                profile_id,
                call_id,
                values,
                actor=user.username,
                allow_backwards=user.role == "klk",
                now=datetime.now(UTC),
            )
    except LookupError:
        raise HTTPException(404, f"Det finns ingen utlysning med nummer {call_id}.") from None
    except FollowUpInvalid as exc:
        return _again(request, call_id, key or profile_id, profile_id, values, exc.errors)
    except FollowUpConflict:
        flash(request, "Någon annan sparade uppföljningen samtidigt. Kontrollera den och ändra igen.", "error")
        return RedirectResponse(f"/calls/{call_id}#uppfoljning-{profile_id}", status_code=303)
    name = names.get(profile_id, profile_id)
    if changes:
        flash(request, f"Uppföljningen för {name} är sparad: {STATUS_SV[record.status]}.")
    else:
        flash(request, f"Inget ändrades i uppföljningen för {name}.")
    return RedirectResponse(f"/calls/{call_id}#uppfoljning-{profile_id}", status_code=303)


def _again(request: Request, call_id: int, key: str, profile_id: str, values: dict, errors: dict) -> Response:
    """The call page again, with the posted form open, its values kept and its errors by field."""
    failed = FollowUpForm(
        key="new" if key == "new" else profile_id,
        profile_id=profile_id,
        values=values,
        statuses=[(s, STATUS_SV[s]) for s in FOLLOWUP_STATUSES],
        errors=errors,
        open=True,
    )
    context = call_context(request, call_id, followup_failed=failed)
    context["followup_error_key"] = failed.key
    return render(request, "call.html", context, status_code=422)


def _filters(request: Request) -> tuple[list[str], list[str], int | None]:
    names = state(request).profiles.names()
    params = request.query_params
    profiles = [p for p in params.getlist("profile") if p in names]
    statuses = [s for s in params.getlist("status") if s in FOLLOWUP_STATUSES]
    year_text = params.get("year", "").strip()
    year = int(year_text) if year_text.isdigit() and 1900 < int(year_text) < 3000 else None
    return profiles, statuses, year


@router.get("/followup", response_class=HTMLResponse)
def followup_list(request: Request) -> Response:
    web = state(request)
    profiles, statuses, year = _filters(request)
    with read_session(web.engine) as db:
        rows = list_followups(db, profile_ids=profiles, statuses=statuses, year=year)
        years = followup_years(db)
    query = request.url.query
    return render(
        request,
        "followup_list.html",
        {
            "rows": rows,
            "names": web.profiles.names(),
            "status_names": STATUS_SV,
            "chosen_profiles": profiles,
            "chosen_statuses": statuses,
            "year": year,
            "years": years,
            "csv_url": "/followup.csv" + (f"?{query}" if query else ""),
            "amount_text": amount_text,
        },
    )


CSV_HEADER = [
    "förvaltning",
    "status",
    "id",
    "utlysning",
    "finansiär",
    "program",
    "sista dag",
    "intresserad",
    "ansöker",
    "inskickad",
    "beslut",
    "kontaktperson",
    "e-post",
    "valuta",
    "kurs (SEK/EUR)",
    "sökt belopp",
    "beviljat belopp",
    "egen medfinansiering",
    "partner",
    "anteckningar",
    "ändrad",
    "ändrad av",
    "i fundwatch",
]


@router.get("/followup.csv")
def followup_csv(request: Request) -> Response:
    web = state(request)
    profiles, statuses, year = _filters(request)
    names = web.profiles.names()
    with read_session(web.engine) as db:
        rows = list_followups(db, profile_ids=profiles, statuses=statuses, year=year)
    base = web.settings.web.base_url.rstrip("/")

    def day(value) -> str:
        return value.isoformat() if value else ""

    return csv_response(
        "uppfoljning.csv",
        CSV_HEADER,
        (
            [
                names.get(f.profile_id, f.profile_id),
                STATUS_SV.get(f.status, f.status),
                call.id,
                call.title,
                call.funder,
                call.programme,
                datetime_sv(call.deadline_at, ""),
                day(f.interested_on),
                day(f.applying_on),
                day(f.submitted_on),
                day(f.decided_on),
                f.contact_name,
                f.contact_email,
                f.currency,
                rate_text(f.eur_rate),
                "" if f.amount_applied is None else f.amount_applied,
                "" if f.amount_granted is None else f.amount_granted,
                "" if f.cofinancing is None else f.cofinancing,
                "; ".join(f"{p.get('name')} ({p.get('country')})" for p in f.partners or []),
                f.notes,
                datetime_sv(f.updated_at, ""),
                f.updated_by,
                f"{base}/calls/{call.id}",
            ]
            for f, call in rows
        ),
    )
