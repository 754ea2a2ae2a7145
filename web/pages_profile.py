"""Förvaltning: one administration's priorities, current top matches, feedback, past digests; CSV and ICS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from alerts.tokens import make_feed_token, verify_feed_token
from store.accounts import get_user
from store.browse import feedback_with_calls, match_counts
from store.engine import read_session
from store.matches import matched_deadlines, matches_for_profile
from web.app import current_user, render, state
from web.csvout import csv_response
from web.digests import past_digests
from web.formatting import STATUS, VERDICT, datetime_sv, local
from web.ics import DeadlineEvent, calendar
from web.pages_links import link_secret

router = APIRouter()

TOP = 25


def _known(request: Request, profile_id: str):
    web = state(request)
    names = web.profiles.names()
    if profile_id not in names:
        raise HTTPException(404, f"Det finns ingen förvaltning med id ”{profile_id}”.")
    return web, names


@router.get("/profiles", response_class=HTMLResponse)
def profiles_page(request: Request) -> Response:
    web = state(request)
    profiles, problems = web.profiles.all()
    with read_session(web.engine) as db:
        counts = match_counts(db)
    return render(
        request,
        "profiles.html",
        {
            "profiles": sorted(profiles.values(), key=lambda p: p.name.casefold()),
            "problems": problems,
            "counts": counts,
        },
    )


@router.get("/profiles/{profile_id}", response_class=HTMLResponse)
def profile_page(request: Request, profile_id: str) -> Response:
    web, names = _known(request, profile_id)
    profile, error = web.profiles.load(profile_id)
    with read_session(web.engine) as db:
        matches = matches_for_profile(db, profile_id, limit=TOP)
        feedback = feedback_with_calls(db, profile_id)
    digests = past_digests(web.engine, profile_id)
    return render(
        request,
        "profile.html",
        {
            "profile_id": profile_id,
            "profile": profile,
            "error": error,
            "name": names[profile_id],
            "matches": matches,
            "feedback": feedback,
            "digests": digests,
            "feed_url": feed_url(request, profile_id),
        },
    )


@router.get("/profiles/{profile_id}/matches.csv")
def profile_matches_csv(request: Request, profile_id: str) -> Response:
    web, names = _known(request, profile_id)
    with read_session(web.engine) as db:
        rows = matches_for_profile(db, profile_id)
    base = web.settings.web.base_url.rstrip("/")
    return csv_response(
        f"matchningar-{profile_id}.csv",
        ["poäng", "prioritering", "skäl", "id", "titel", "finansiär", "status", "sista dag", "länk", "i fundwatch"],
        (
            [
                f"{match.score:.3f}".replace(".", ","),
                (match.explanation or {}).get("priority", ""),
                " | ".join((match.explanation or {}).get("reasons", [])),
                call.id,
                call.title,
                call.funder,
                STATUS.get(call.status, call.status),
                datetime_sv(call.deadline_at, ""),
                call.url,
                f"{base}/calls/{call.id}",
            ]
            for match, call in rows
        ),
    )


@router.get("/profiles/{profile_id}/feedback.csv")
def profile_feedback_csv(request: Request, profile_id: str) -> Response:
    web, names = _known(request, profile_id)
    with read_session(web.engine) as db:
        rows = feedback_with_calls(db, profile_id)
    return csv_response(
        f"aterkoppling-{profile_id}.csv",
        ["datum", "bedömning", "av", "id", "titel", "finansiär"],
        (
            [
                datetime_sv(fb.created_at, ""),
                VERDICT.get(fb.verdict, fb.verdict),
                fb.user,
                call.id,
                call.title,
                call.funder,
            ]
            for fb, call in rows
        ),
    )


def feed_url(request: Request, profile_id: str) -> str:
    """The calendar feed's address for this page's viewer: a logged-in user's carries a token signed for them,
    so a calendar program (which cannot log in) can subscribe when ``web.require_login`` is on."""
    path = f"/profiles/{quote(profile_id)}/deadlines.ics"
    user = current_user(request)
    if user is None:
        return path
    return f"{path}?{urlencode({'token': make_feed_token(link_secret(request), profile_id, user.username)})}"


def _feed_allowed(request: Request, db, profile_id: str, token: str) -> bool:
    """Whether the feed may be read: by anyone unless login is required; then by a logged-in user or with a
    genuine token for this profile whose user still exists."""
    web = state(request)
    if not web.settings.web.require_login or current_user(request) is not None:
        return True
    feed = verify_feed_token(link_secret(request), token) if token else None
    return feed is not None and feed.profile_id == profile_id and get_user(db, feed.username) is not None


@router.get("/profiles/{profile_id}/deadlines.ics")
def profile_deadlines_ics(request: Request, profile_id: str, token: str = "") -> Response:
    web, names = _known(request, profile_id)
    with read_session(web.engine) as db:
        if not _feed_allowed(request, db, profile_id, token[:2000]):
            raise HTTPException(
                401, "Kalenderlänken gäller inte. Logga in och hämta en ny länk på förvaltningens sida."
            )
        # deadlines from a month ago on: enough for a calendar, and the feed stays small for busy profiles
        since = datetime.now(UTC) - timedelta(days=31)
        rows = matched_deadlines(db, profile_id, since)
    base = web.settings.web.base_url.rstrip("/")
    events = []
    for call in rows:
        deadlines = list(call.deadlines or [])
        for index, text in enumerate(deadlines):
            moment = local(text)
            if moment is None or moment < since:
                continue
            events.append(
                DeadlineEvent(
                    call_id=call.call_id,
                    index=index,
                    deadline=moment,
                    title=call.title,
                    url=call.url,
                    page_url=f"{base}/calls/{call.call_id}",
                    funder=call.funder,
                    final=index == len(deadlines) - 1,
                )
            )
    host = urlsplit(base).hostname or "fundwatch"
    body = calendar(f"Deadlines – {names[profile_id]}", events, host)
    return Response(
        content=body.encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{profile_id}-deadlines.ics"'},
    )
