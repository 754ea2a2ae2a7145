"""A small read-only JSON API over the same data as the pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from store.browse import feedback_for_call, get_call_by_id
from store.calls import changes_for
from store.engine import read_session
from store.matches import matches_for_call, matches_for_profile
from store.models import Call, Match
from store.records import iso
from web.app import state
from web.pages_search import run_search
from web.search_params import parse_search

router = APIRouter(prefix="/api")


def call_summary(call: Call, base: str) -> dict[str, Any]:
    return {
        "id": call.id,
        "title": call.title,
        "funder": call.funder,
        "programme": call.programme,
        "status": call.status,
        "kind": call.kind,
        "language": call.language,
        "deadline_at": iso(call.deadline_at),
        "url": call.url,
        "page": f"{base}/calls/{call.id}",
        "api": f"{base}/api/calls/{call.id}",
    }


def match_json(match: Match, names: dict[str, str]) -> dict[str, Any]:
    return {
        "profile_id": match.profile_id,
        "profile_name": names.get(match.profile_id, match.profile_id),
        "score": round(match.score, 4),
        "explanation": match.explanation or {},
        "profile_version": match.profile_version,
        "matched_at": iso(match.matched_at),
    }


@router.get("/calls")
def api_calls(request: Request) -> JSONResponse:
    web = state(request)
    form = parse_search(request.query_params)
    result, matches = run_search(web, form, form.offset, form.per_page)
    base = web.settings.web.base_url.rstrip("/")
    names = web.profiles.names()
    return JSONResponse(
        {
            "query": form.q,
            "ignored_terms": list(result.query.ignored),
            "problems": form.errors,
            "total": result.total,
            "total_exact": result.total_exact,
            "page": form.page,
            "per_page": form.per_page,
            "results": [
                {
                    **call_summary(call, base),
                    "relevance": result.scores.get(call.id),
                    "matches": [
                        {
                            "profile_id": m.profile_id,
                            "profile_name": names.get(m.profile_id, m.profile_id),
                            "score": round(m.score, 4),
                        }
                        for m in matches.get(call.id, [])
                    ],
                }
                for call in result.calls
            ],
        }
    )


@router.get("/calls/{call_id}")
def api_call(request: Request, call_id: int) -> JSONResponse:
    web = state(request)
    with read_session(web.engine) as db:
        call = get_call_by_id(db, call_id)
        if call is None:
            raise HTTPException(404, f"no call with id {call_id}")
        changes = changes_for(db, call_id)
        matches = matches_for_call(db, call_id)
        feedback = feedback_for_call(db, call_id)
    base = web.settings.web.base_url.rstrip("/")
    names = web.profiles.names()
    body = call_summary(call, base)
    body.update(
        {
            "source": call.source,
            "external_id": call.external_id,
            "summary": call.summary,
            "description": call.description,
            "opens_at": iso(call.opens_at),
            "deadlines": list(call.deadlines or []),
            "budget": call.budget,
            "applicant_types": list(call.applicant_types or []),
            "extra": call.extra or {},
            "first_seen_at": iso(call.first_seen_at),
            "last_seen_at": iso(call.last_seen_at),
            "updated_at": iso(call.updated_at),
            "listed": call.listed,
            "changes": [
                {"field": c.field, "old": c.old_value, "new": c.new_value, "changed_at": iso(c.changed_at)}
                for c in changes
            ],
            "matches": [match_json(m, names) for m in matches],
            "feedback": {pid: fb.verdict for pid, fb in sorted(feedback.items())},
        }
    )
    return JSONResponse(body)


@router.get("/profiles/{profile_id}/matches")
def api_profile_matches(request: Request, profile_id: str, limit: int = 100) -> JSONResponse:
    web = state(request)
    names = web.profiles.names()
    if profile_id not in names:
        raise HTTPException(404, f"no profile {profile_id!r}")
    base = web.settings.web.base_url.rstrip("/")
    with read_session(web.engine) as db:
        rows = matches_for_profile(db, profile_id, limit=max(1, min(limit, 1000)))
    return JSONResponse(
        {
            "profile_id": profile_id,
            "profile_name": names[profile_id],
            "matches": [{**match_json(m, names), "call": call_summary(c, base)} for m, c in rows],
        }
    )
