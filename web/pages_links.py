"""Pages behind the links in digest emails: unsubscribe and feedback, authorised by a signed token.

A GET only shows what the link will do and asks for confirmation (mail gateways open links to scan
them; that must change nothing). The POST carries out the change: the token itself is the credential
(unguessable, bound to the recipient or to the profile, call and verdict), so no login or session CSRF
token is needed — which is also what RFC 8058 one-click unsubscribe from a mail client requires.
Every change is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from alerts.tokens import load_web_secret, verify_feedback_token, verify_unsubscribe_token
from store.accounts import record_audit
from store.digest_tables import OVERVIEW_ID
from store.digests import is_unsubscribed, unsubscribe
from store.engine import read_session, write_session
from store.matches import set_feedback
from store.models import Call
from web.app import render, state

router = APIRouter()
VERDICT_SV = {"relevant": "relevant", "not_relevant": "inte relevant"}


def link_secret(request: Request) -> bytes:
    """The secret that signs link tokens (read once per process)."""
    web = state(request)
    cache = web.cache
    if "link_secret" not in cache:
        settings = web.settings
        cache["link_secret"] = load_web_secret(settings.web.secret_env, settings.path(settings.paths.var_dir))
    return cache["link_secret"]


def profile_name_of(request: Request, profile_id: str) -> str:
    if profile_id == OVERVIEW_ID:
        return "kommunledningskontorets veckoöversikt"
    return state(request).profiles.names().get(profile_id, profile_id)


def invalid_link(request: Request) -> HTMLResponse:
    return render(
        request,
        "link.html",
        {
            "heading": "Länken fungerar inte",
            "message": "Länken är ogiltig eller har ändrats. Kopiera hela länken från mejlet och försök igen.",
            "form": False,
        },
        status_code=404,
    )


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_confirm(request: Request, token: str) -> HTMLResponse:
    req = verify_unsubscribe_token(link_secret(request), token)
    if req is None:
        return invalid_link(request)
    name = profile_name_of(request, req.profile_id)
    with read_session(state(request).engine) as db:
        done = is_unsubscribed(db, req.profile_id, req.recipient)
    if done:
        message = f"{req.recipient} får redan inga utskick från {name}."
        return render(request, "link.html", {"heading": "Redan avregistrerad", "message": message, "form": False})
    return render(
        request,
        "link.html",
        {
            "heading": "Avregistrera från utskicket",
            "message": f"Vill du sluta få {name}s veckoutskick till {req.recipient}?",
            "form": True,
            "action": f"/unsubscribe/{token}",
            "button": "Ja, avregistrera mig",
        },
    )


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_do(request: Request, token: str) -> HTMLResponse:
    req = verify_unsubscribe_token(link_secret(request), token)
    if req is None:
        return invalid_link(request)
    with write_session(state(request).engine) as db:
        changed = unsubscribe(db, req.profile_id, req.recipient, datetime.now(UTC), via="link")
        if changed:
            record_audit(db, f"mail:{req.recipient}", "digest.unsubscribe", f"profile:{req.profile_id}")
    name = profile_name_of(request, req.profile_id)
    message = f"{req.recipient} får inte längre {name}s utskick. Kommunledningskontoret kan lägga till dig igen."
    return render(request, "link.html", {"heading": "Du är avregistrerad", "message": message, "form": False})


@router.get("/feedback/{token}", response_class=HTMLResponse)
def feedback_confirm(request: Request, token: str) -> HTMLResponse:
    req = verify_feedback_token(link_secret(request), token)
    if req is None:
        return invalid_link(request)
    with read_session(state(request).engine) as db:
        call = db.get(Call, req.call_id)
    if call is None:
        return invalid_link(request)
    name = profile_name_of(request, req.profile_id)
    return render(
        request,
        "link.html",
        {
            "heading": "Återkoppling på en träff",
            "message": f"Markera ”{call.title}” som {VERDICT_SV[req.verdict]} för {name}?",
            "form": True,
            "action": f"/feedback/{token}",
            "button": f"Ja, markera som {VERDICT_SV[req.verdict]}",
            "call_id": call.id,
        },
    )


@router.post("/feedback/{token}", response_class=HTMLResponse)
def feedback_do(request: Request, token: str) -> HTMLResponse:
    req = verify_feedback_token(link_secret(request), token)
    if req is None:
        return invalid_link(request)
    with write_session(state(request).engine) as db:
        call = db.get(Call, req.call_id)
        if call is None:
            return invalid_link(request)
        set_feedback(db, req.profile_id, req.call_id, req.verdict, user="mejllänk")
        record_audit(
            db, "mejllänk", "feedback.set", f"call:{req.call_id}", {"profile": req.profile_id, "verdict": req.verdict}
        )
    message = f"Tack! ”{call.title}” är markerad som {VERDICT_SV[req.verdict]}."
    if req.verdict == "not_relevant":
        message += " Den kommer inte tillbaka i förvaltningens utskick."
    return render(
        request, "link.html", {"heading": "Återkoppling sparad", "message": message, "form": False, "call_id": call.id}
    )
