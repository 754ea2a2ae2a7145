"""Fixture cases for source kinds, in feedparser's style: ``tests/fixtures/<kind>/<case>.<ext>`` is a response
body and ``<case>.expected.json`` next to it says how to fetch it and what parsing it must give.

Keys of an expected file (all optional except the outcome):

- ``options``: the source's options (its ``[[sources]]`` keys besides ``name`` and ``kind``);
- ``request``: ``role``, ``url`` and ``context`` overriding the kind's first request;
- ``after``: another case (``<case>.<ext>``) parsed first; this case answers its follow-up request whose URL
  is ``request.url`` (e.g. a detail page after its listing, page 2 after page 1);
- ``response``: ``url`` and ``headers`` of the response (``Date`` defaults to ``DEFAULT_DATE``, which is what
  statuses are computed against);
- outcome: ``records``, ``follow``, ``complete_listing``, ``warnings`` — or ``error`` (``reason`` and a
  ``match`` regular expression) when parsing must fail.

A new case is a new file pair; ``tests/test_kind_fixtures.py`` runs every pair.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapers.base import ParseResult, Request, Response, SourceKind
from scrapers.kinds.eu_ftp import EuFtp
from scrapers.kinds.html import Html
from scrapers.kinds.page_watch import PageWatch
from scrapers.kinds.rss import Rss
from scrapers.kinds.vinnova import Vinnova
from scrapers.kinds.wp_rest import WpRest
from settings import SourceSettings
from store.records import CallRecord

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KINDS: dict[str, type[SourceKind]] = {k.name: k for k in (EuFtp, Vinnova, Rss, Html, PageWatch, WpRest)}
DEFAULT_DATE = "Wed, 01 Jul 2026 10:00:00 GMT"
SUFFIX = ".expected.json"


def case_files() -> list[Path]:
    """Every fixture body under a kind's folder (README files aside)."""
    out = []
    for kind_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name in KINDS):
        out.extend(
            p for p in sorted(kind_dir.iterdir()) if p.is_file() and not p.name.endswith(SUFFIX) and p.suffix != ".md"
        )
    return out


def expected_path(body: Path) -> Path:
    return body.with_name(body.name.rsplit(".", 1)[0] + SUFFIX)


def load_expected(body: Path) -> dict[str, Any]:
    return json.loads(expected_path(body).read_text(encoding="utf-8"))


def make_kind(body: Path, expected: dict[str, Any]) -> SourceKind:
    kind = body.parent.name
    config = SourceSettings(name=expected.get("source", "test-source"), kind=kind, **expected.get("options", {}))
    return KINDS[kind](config)


def _request(kind: SourceKind, body: Path, expected: dict[str, Any]) -> Request:
    wanted = expected.get("request", {})
    if "after" in expected:
        earlier = body.parent / expected["after"]
        previous = run_case(earlier, load_expected(earlier))
        for follow in previous.follow:
            if follow.url == wanted["url"]:
                return follow
        raise AssertionError(f"{expected['after']} asks for no {wanted['url']} (it asks for {previous.follow})")
    first = kind.start_requests()[0]
    context = wanted.get("context")
    return Request(
        url=wanted.get("url", first.url),
        method=first.method,
        headers=first.headers,
        files=first.files,
        role=wanted.get("role", first.role),
        context=tuple(context.items()) if context is not None else first.context,
    )


def run_case(body: Path, expected: dict[str, Any]) -> ParseResult:
    """Parse the case's body as its kind would at run time."""
    kind = make_kind(body, expected)
    request = _request(kind, body, expected)
    answer = expected.get("response", {})
    headers = {"date": DEFAULT_DATE, **{k.lower(): v for k, v in answer.get("headers", {}).items()}}
    response = Response(url=answer.get("url", request.url), status=200, headers=headers, body=body.read_bytes())
    return kind.parse(request, response)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def record_dict(record: CallRecord) -> dict[str, Any]:
    return {f.name: _plain(getattr(record, f.name)) for f in fields(CallRecord)}


def outcome(result: ParseResult) -> dict[str, Any]:
    """A parse result as the expected files write it."""
    return {
        "records": [record_dict(r) for r in result.records],
        "follow": [
            {"url": f.url, "method": f.method, "role": f.role, "context_keys": sorted(k for k, _ in f.context)}
            for f in result.follow
        ],
        "complete_listing": result.complete_listing,
        "warnings": result.warnings,
    }
