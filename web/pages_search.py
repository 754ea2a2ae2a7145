"""Sök: full-text search over every call ever seen, with filters, sorting, paging and a CSV download."""

from __future__ import annotations

import threading
import time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from store.browse import matches_for_calls
from store.engine import read_session
from store.models import KINDS, STATUSES
from store.search import SearchResult, facet_values, search_calls
from store.strategy import tag_names_for_calls
from strategy.sdg import load_sdg_terms
from strategy.summary import goals_of
from web.app import WebState, render, state
from web.csvout import csv_response
from web.formatting import KIND, STATUS, datetime_sv
from web.search_params import PAGE_SIZES, SearchForm, parse_search

router = APIRouter()

#: most rows in one CSV download of a search
CSV_LIMIT = 10_000
_FACET_TTL = 60.0
_facets_lock = threading.Lock()


def cached_facets(web: WebState, db) -> dict[str, list[str]]:
    """The filter lists (funders, programmes, ...), refreshed at most once a minute."""
    with _facets_lock:
        cached = web.cache.get("facets")
        if cached and time.monotonic() - cached[0] < _FACET_TTL:
            return cached[1]
    values = facet_values(db)
    with _facets_lock:
        web.cache["facets"] = (time.monotonic(), values)
    return values


def search_with_matches(db, form: SearchForm, offset: int, limit: int) -> tuple[SearchResult, dict]:
    """A page of the search's results and the administrations each one matched, in the caller's session."""
    result = search_calls(db, form.q, form.filters(), form.sort, offset, limit)
    return result, matches_for_calls(db, [c.id for c in result.calls])


def run_search(web: WebState, form: SearchForm, offset: int, limit: int) -> tuple[SearchResult, dict]:
    with read_session(web.engine) as db:
        return search_with_matches(db, form, offset, limit)


def page_numbers(current: int, last: int) -> list[int | None]:
    """Page links to show: first, last and two either side of the current one; None marks a gap."""
    wanted = {1, last, *range(current - 2, current + 3)}
    pages = sorted(p for p in wanted if 1 <= p <= last)
    out: list[int | None] = []
    for page in pages:
        if out and page - out[-1] > 1:
            out.append(None)
        out.append(page)
    return out


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request) -> Response:
    web = state(request)
    form = parse_search(request.query_params)
    with read_session(web.engine) as db:  # one session (one connection check-out) for everything the page reads
        result, matches = search_with_matches(db, form, form.offset, form.per_page)
        tags = tag_names_for_calls(db, [c.id for c in result.calls])
        facets = cached_facets(web, db)
    names = web.profiles.names()
    last_page = max((result.total + form.per_page - 1) // form.per_page, 1)
    if not result.total_exact:  # more pages than counted: the pager offers the next one
        last_page += 1
    return render(
        request,
        "search.html",
        {
            "form": form,
            "result": result,
            "matches": matches,
            "names": names,
            "facets": facets,
            "statuses": [(s, STATUS[s]) for s in STATUSES],
            "kinds": [(k, KIND.get(k, k)) for k in KINDS],
            "page_sizes": PAGE_SIZES,
            "last_page": last_page,
            "pages": page_numbers(form.page, last_page),
            "tags": tags,
            "goal_numbers": goals_of,
            "sdg_goals": [(g.number, g.name) for g in load_sdg_terms().goals],
        },
    )


@router.get("/export/calls.csv")
def search_csv(request: Request) -> Response:
    web = state(request)
    form = parse_search(request.query_params)
    names = web.profiles.names()
    rows = []
    offset = 0
    while offset < CSV_LIMIT:
        result, matches = run_search(web, form, offset, 500)
        for call in result.calls:
            matched = ", ".join(names.get(m.profile_id, m.profile_id) for m in matches.get(call.id, []))
            rows.append(
                [
                    call.id,
                    call.title,
                    call.funder,
                    call.programme,
                    STATUS.get(call.status, call.status),
                    KIND.get(call.kind, call.kind),
                    call.language,
                    datetime_sv(call.opens_at, ""),
                    datetime_sv(call.deadline_at, ""),
                    " | ".join(datetime_sv(d, "") for d in call.deadlines),
                    matched,
                    call.url,
                    f"{web.settings.web.base_url.rstrip('/')}/calls/{call.id}",
                ]
            )
        offset += 500
        if len(result.calls) < 500:
            break
    header = [
        "id",
        "titel",
        "finansiär",
        "program",
        "status",
        "typ",
        "språk",
        "öppnar",
        "sista dag",
        "alla deadlines",
        "matchade förvaltningar",
        "länk",
        "i fundwatch",
    ]
    return csv_response("utlysningar.csv", header, rows)
