"""The follow-up link in a digest ("Markera som intresserad" / "Följ upp"), authorised by a signed token.

As for the other mail links (``web/pages_links.py``): a GET only shows the call, the administration's current
follow-up and the choices; the POST acts. The token (bound to the profile, the call and the recipient) is the
credential, so no login or CSRF token is needed; the change is audited with the actor ``link:<recipient>``. A
link may only move a follow-up forward (or to Avstår), never correct it backwards. A follow-up created from a
link gets the recipient as its contact email, so the deadline reminders go to the person who marked it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from alerts.tokens import verify_followup_token
from store.engine import read_session, write_session
from store.followup import FollowUpConflict, get_followup, save_followup
from store.followup_rules import STATUS_SV, FollowUpInvalid, allowed_next
from store.models import Call
from web.app import render, state
from web.pages_links import invalid_link, link_secret, profile_name_of

router = APIRouter()


def _choices(current: str | None) -> list[tuple[str, str]]:
    if current is None:
        return [("intresserad", "Ja, markera som intresserad")]
    return [(s, STATUS_SV[s]) for s in allowed_next(current) if s != current]


@router.get("/followup-link/{token}", response_class=HTMLResponse)
def followup_link_confirm(request: Request, token: str) -> Response:
    req = verify_followup_token(link_secret(request), token)
    if req is None:
        return invalid_link(request)
    with read_session(state(request).engine) as db:
        call = db.get(Call, req.call_id)
        record = get_followup(db, req.profile_id, req.call_id)
    if call is None:
        return invalid_link(request)
    name = profile_name_of(request, req.profile_id)
    current = record.status if record else None
    if current is None:
        heading, message = "Markera som intresserad", f"Markera ”{call.title}” som intressant för {name}?"
        message += f" Påminnelser om deadline går då till {req.recipient}."
    else:
        heading = "Följ upp utlysningen"
        message = f"{name} har ”{call.title}” som {STATUS_SV[current]}."
        message += " Välj nästa steg." if _choices(current) else " Beslutet är registrerat."
    return render(
        request,
        "followup_link.html",
        {
            "heading": heading,
            "message": message,
            "action": f"/followup-link/{token}",
            "choices": _choices(current),
            "call_id": call.id,
            "profile_id": req.profile_id,
        },
    )


@router.post("/followup-link/{token}", response_class=HTMLResponse)
async def followup_link_do(request: Request, token: str) -> Response:
    req = verify_followup_token(link_secret(request), token)
    if req is None:
        return invalid_link(request)
    status = str((await request.form()).get("status", "intresserad"))
    web = state(request)
    name = profile_name_of(request, req.profile_id)
    try:
        with write_session(web.engine) as db:
            if db.get(Call, req.call_id) is None:
                return invalid_link(request)
            values: dict[str, str] = {"status": status}
            if get_followup(db, req.profile_id, req.call_id) is None:
                values["contact_email"] = req.recipient
            record, changes = save_followup(
                db, req.profile_id, req.call_id, values, actor=f"link:{req.recipient}", now=datetime.now(UTC)
            )
            title = db.get(Call, req.call_id).title
    except (FollowUpInvalid, FollowUpConflict) as exc:
        errors = exc.errors if isinstance(exc, FollowUpInvalid) else {}
        message = errors.get("status") or "Ändringen kunde inte sparas. Öppna utlysningen och ändra där."
        context = {"heading": "Kunde inte ändra uppföljningen", "message": message, "call_id": req.call_id}
        return render(request, "followup_link.html", context | {"choices": []}, status_code=422)
    done = f"”{title}” är markerad som {STATUS_SV[record.status]} för {name}."
    if not changes:
        done = f"”{title}” var redan markerad som {STATUS_SV[record.status]} för {name}."
    return render(
        request,
        "followup_link.html",
        {
            "heading": "Uppföljningen är sparad",
            "message": done + " Belopp, datum och partner fyller du i på utlysningens sida.",
            "choices": [],
            "call_id": req.call_id,
            "profile_id": req.profile_id,
        },
    )
