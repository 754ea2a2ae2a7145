"""Utlysning: one call with every field, its deadlines, change history, matches, similar calls, feedback and
the administrations' follow-up (``web/pages_followup.py`` takes the follow-up form)."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from store.accounts import record_audit
from store.browse import calls_by_ids, feedback_for_call, get_call_by_id
from store.calls import changes_for
from store.engine import read_session, write_session
from store.matches import VERDICTS, matches_for_call, set_feedback
from web import ranking
from web.accounts import can_give_feedback, feedback_profiles
from web.app import LoginRequired, current_user, flash, render, state
from web.followup_view import FollowUpForm, followup_section
from web.formatting import VERDICT
from web.guards import check_csrf
from web.strategy_view import strategy_context

router = APIRouter()


def _call_or_404(db, call_id: int):
    call = get_call_by_id(db, call_id)
    if call is None:
        raise HTTPException(404, f"Det finns ingen utlysning med nummer {call_id}.")
    return call


@router.get("/calls/{call_id}", response_class=HTMLResponse)
def call_page(request: Request, call_id: int) -> Response:
    return render(request, "call.html", call_context(request, call_id))


def call_context(request: Request, call_id: int, followup_failed: FollowUpForm | None = None) -> dict:
    """Everything the call page shows (``followup_failed``: a follow-up form to show again with its errors)."""
    web = state(request)
    user = current_user(request)
    names = web.profiles.names()
    with read_session(web.engine) as db:
        call = _call_or_404(db, call_id)
        changes = changes_for(db, call_id)
        matches = matches_for_call(db, call_id)
        feedback = feedback_for_call(db, call_id)
        # a call page never waits for the index to be built (that takes a while after a start)
        index = ranking.open_calls_index(web.engine, web.cache, wait=False)
        similar_ids = ranking.similar(call_id, index) if index is not None else []
        similar_calls = calls_by_ids(db, [cid for cid, _ in similar_ids])
        matched_ids = [m.profile_id for m in matches]
        # matched administrations first, then the others, for the feedback buttons and follow-up forms
        ordered = matched_ids + [pid for pid in names if pid not in matched_ids]
        followup = followup_section(db, call_id, user, names, ordered, failed=followup_failed)
        strategy = strategy_context(web, db, call)
    return {
        "call": call,
        "changes": list(reversed(changes)),
        "matches": matches,
        "feedback": feedback,
        "names": names,
        "feedback_for": feedback_profiles(user, ordered),
        "similar": [(similar_calls[cid], score) for cid, score in similar_ids if cid in similar_calls],
        "similar_pending": index is None,
        "extra_items": extra_items(call.extra or {}),
        **followup,
        **strategy,
    }


#: Swedish labels for the source-specific details sources store in ``Call.extra``
EXTRA_LABELS = {
    "applicants_text": "Vem kan söka (källans text)",
    "municipality_eligible": "Kommuner kan söka",
    "out_of_region": "Utanför Kalmar län",
    "regions": "Regioner",
    "window": "Återkommande ansökningsperiod",
    "rolling": "Löpande ansökan",
    "published": "Publicerad",
    "categories": "Kategorier",
    "keywords": "Nyckelord",
    "tags": "Taggar",
    "links": "Länkar",
    "call_identifier": "Utlysningens id",
    "call_title": "Utlysning (övergripande)",
    "types_of_action": "Typ av insats",
    "programme_period": "Programperiod",
    "framework_programme": "Ramprogram",
    "deadline_model": "Deadline-modell",
    "portal_status": "Status i EU-portalen",
    "cross_cutting_priorities": "Övergripande prioriteringar",
    "title_en": "Titel på engelska",
    "call_dnr": "Utlysningens diarienummer",
    "programme_dnr": "Programmets diarienummer",
    "decision_expected": "Beslut väntas",
    "earliest_project_start": "Tidigaste projektstart",
    "latest_project_start": "Senaste projektstart",
    "latest_project_end": "Senaste projektslut",
}
#: internal bookkeeping, not for people
EXTRA_HIDDEN = {"fingerprint"}


def extra_items(extra: dict) -> list[tuple[str, object]]:
    """The call's extra details with Swedish labels (known keys first) and yes/no for flags."""
    known = [(EXTRA_LABELS[k], v) for k, v in extra.items() if k in EXTRA_LABELS]
    other = sorted((k, v) for k, v in extra.items() if k not in EXTRA_LABELS and k not in EXTRA_HIDDEN)
    items = sorted(known, key=lambda kv: list(EXTRA_LABELS.values()).index(kv[0])) + other
    return [(label, ("Ja" if value else "Nej") if isinstance(value, bool) else value) for label, value in items]


@router.post("/calls/{call_id}/feedback")
def give_feedback(
    request: Request,
    call_id: int,
    profile_id: str = Form(""),
    verdict: str = Form(""),
    csrf_token: str = Form(""),
) -> Response:
    check_csrf(request, csrf_token)
    user = current_user(request)
    if user is None:
        raise LoginRequired(f"/calls/{call_id}")
    web = state(request)
    if verdict not in VERDICTS:
        raise HTTPException(422, "Välj Relevant eller Inte relevant.")
    if profile_id not in web.profiles.names():
        raise HTTPException(422, "Okänd förvaltning.")
    if not can_give_feedback(user, profile_id):
        raise HTTPException(403, "Du kan bara ge återkoppling för dina egna förvaltningar.")
    with write_session(web.engine) as db:
        _call_or_404(db, call_id)
        set_feedback(db, profile_id, call_id, verdict, user=user.username)
        record_audit(db, user.username, "feedback.set", f"call:{call_id}", {"profile": profile_id, "verdict": verdict})
    name = web.profiles.names().get(profile_id, profile_id)
    flash(request, f"Återkoppling sparad: {VERDICT[verdict]} för {name}.")
    return RedirectResponse(f"/calls/{call_id}#aterkoppling", status_code=303)
