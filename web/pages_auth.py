"""Logging in and out, and the audit trail (KLK)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from store.accounts import audit_events, failed_logins, login_target, record_audit
from store.engine import read_session, write_session
from web.accounts import authenticate
from web.app import client_address, current_user, flash, mark_session_changed, render, safe_next, session_data, state
from web.csvout import csv_response
from web.formatting import datetime_sv
from web.guards import check_csrf, require_klk
from web.security import new_token, password_stamp

log = logging.getLogger(__name__)
router = APIRouter()

AUDIT_PAGE = 50


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": safe_next(next), "username": "", "error": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    csrf_token: str = Form(""),
) -> Response:
    check_csrf(request, csrf_token)
    web = state(request)
    name = username.strip().lower()[:100]
    address = client_address(request)
    now = datetime.now(UTC)
    with read_session(web.engine) as db:
        by_user, by_address = failed_logins(db, name, address, web.limiter.since(now))
    wait = web.limiter.retry_after(by_user, by_address, now)
    if wait:
        minutes = max(1, round(wait / 60))
        log.warning("login for %r from %s refused: too many failed attempts", name, address)
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "username": name,
                "error": f"För många misslyckade inloggningar. Försök igen om {minutes} minut{'er' if minutes > 1 else ''}.",
            },
            status_code=429,
        )
    with write_session(web.engine) as db:
        user = authenticate(db, name, password)
        action = "login" if user else "login.failed"
        record_audit(db, name or "(tomt)", action, login_target(name), {"address": address})
    if user is None:
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "username": name, "error": "Fel användarnamn eller lösenord."},
            status_code=401,
        )
    session = session_data(request)
    session.clear()  # a fresh session (and CSRF token) at login: no fixation
    session.update({"u": user.username, "pv": password_stamp(user.password_hash), "csrf": new_token()})
    mark_session_changed(request)
    flash(request, f"Du är inloggad som {user.display_name or user.username}.")
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    check_csrf(request, csrf_token)
    session_data(request).clear()
    mark_session_changed(request)
    flash(request, "Du är utloggad.")
    return RedirectResponse("/", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, page: int = 1, action: str = "") -> Response:
    require_klk(request, "/audit")
    web = state(request)
    page = max(page, 1)
    with read_session(web.engine) as db:
        total, events = audit_events(db, action=action[:50], offset=(page - 1) * AUDIT_PAGE, limit=AUDIT_PAGE)
    last = max((total + AUDIT_PAGE - 1) // AUDIT_PAGE, 1)
    return render(
        request,
        "audit.html",
        {
            "events": events,
            "total": total,
            "page": page,
            "last_page": last,
            "action": action,
            "me": current_user(request),
        },
    )


@router.get("/audit.csv")
def audit_csv(request: Request, action: str = "") -> Response:
    require_klk(request, "/audit")
    web = state(request)
    with read_session(web.engine) as db:
        _total, events = audit_events(db, action=action[:50], limit=100_000)
    return csv_response(
        "andringslogg.csv",
        ["tid", "vem", "åtgärd", "gäller", "detaljer"],
        (
            [
                datetime_sv(e.at, ""),
                e.actor,
                e.action,
                e.target,
                "; ".join(f"{k}={v}" for k, v in e.detail.items() if k != "diff"),
            ]
            for e in events
        ),
    )
