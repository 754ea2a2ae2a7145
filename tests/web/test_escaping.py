"""I9: scraped hostile text (the E8 corpus) renders escaped on every page; non-http(s) links are not links."""

from __future__ import annotations

import re
from datetime import timedelta

from store.calls import upsert_calls
from store.engine import write_session
from store.models import Match
from store.records import CallRecord
from tests.web.conftest import Site, csrf_of
from tests.web.corpus import NOW

E8 = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">klicka</a>',
    "<style>body{display:none}</style>",
    '"><svg/onload=alert(1)>',
    "Titel\r\nBcc: x@y.example",
    "x" * 10_000,
]
# markers that may only ever appear escaped
ACTIVE = [
    re.compile(r"<script>alert", re.I),
    re.compile(r"<img[^>]*onerror", re.I),
    re.compile(r"<svg/onload", re.I),
    re.compile(r"<style>body", re.I),
    re.compile(r'href="javascript:', re.I),
    re.compile(r'href="data:', re.I),
    re.compile(r'href="vbscript:', re.I),
]


def hostile_calls() -> list[CallRecord]:
    records = []
    for index, text in enumerate(E8):
        records.append(
            CallRecord(
                source="hostile",
                external_id=f"e8-{index}",
                title=f"Vattenvård {text}",
                url=["javascript:alert(1)", "data:text/html,<b>x</b>", " vbscript:msgbox(1)", "https://ok.example/"][
                    index % 4
                ],
                funder=text[:300],
                programme=text[:300],
                summary=text,
                description=f"{text}\n\n{text}",
                language="sv",
                status="open",
                deadlines=[NOW + timedelta(days=10 + index)],
                applicant_types=[text[:100], "kommun"],
                budget=text,
                extra={"link": "javascript:alert(2)", "note": text, "list": [text, "data:text/html,hi"]},
            )
        )
    return records


def assert_inert(html: str, where: str) -> None:
    for pattern in ACTIVE:
        assert not pattern.search(html), f"{where}: active content {pattern.pattern!r}"
    # nothing hostile survives inside an attribute either
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("/", "#", "http://", "https://", "?")), f"{where}: link {href!r}"


def test_I9_the_E8_corpus_is_escaped_on_every_page_and_bad_links_are_not_links(site: Site):
    with write_session(site.engine) as db:
        upsert_calls(db, hostile_calls(), now=NOW)
    from sqlmodel import select

    from store.engine import read_session
    from store.models import Call

    with read_session(site.engine) as db:
        ids = [c.id for c in db.exec(select(Call).where(Call.source == "hostile"))]
    hostile = "<b>Bad</b>\"><script>alert('reason')</script>"
    with write_session(site.engine) as db:
        for call_id in ids:
            db.add(
                Match(
                    profile_id="miljo",
                    call_id=call_id,
                    score=0.99,
                    explanation={
                        "priority": hostile,
                        "reasons": [hostile],
                        "terms": [{"term": hostile, "call_term": hostile}],
                    },
                    matched_at=NOW,
                )
            )
    klk = site.login("klk-anna")
    token = csrf_of(klk.get("/").text)
    klk.post(f"/calls/{ids[0]}/feedback", data={"csrf_token": token, "profile_id": "miljo", "verdict": "relevant"})
    pages = [
        "/",
        "/?q=vattenvård",
        "/?q=%3Cscript%3E",
        "/?q=" + "%22%3E%3Csvg%2Fonload%3Dalert(1)%3E",
        "/profiles",
        "/profiles/miljo",
        "/sources",
        "/audit",
        "/workshop/miljo",
    ] + [f"/calls/{i}" for i in ids]
    for path in pages:
        response = klk.get(path)
        assert response.status_code == 200, path
        assert_inert(response.text, path)
    # the text itself is there, escaped
    call_page = klk.get(f"/calls/{ids[0]}").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in call_page
    assert '<span class="unlinked">javascript:alert(1)</span>' in call_page
    assert "<dd>javascript:alert(2)" in call_page  # shown as text
    # the 10,000-character title is shortened in lists
    listing = klk.get("/", params={"q": "vattenvård", "per_page": 100}).text
    assert "x" * 300 not in listing.split("<tbody>")[1]


def test_I9_hostile_text_in_csv_ics_and_json_stays_data(site: Site):
    with write_session(site.engine) as db:
        upsert_calls(db, hostile_calls(), now=NOW)
        from sqlmodel import select

        from store.models import Call

        for call in db.exec(select(Call).where(Call.source == "hostile")):
            db.add(Match(profile_id="kultur", call_id=call.id, score=0.5, explanation={}, matched_at=NOW))
    client = site.client()
    ics = client.get("/profiles/kultur/deadlines.ics").content.decode("utf-8")
    for line in ics.split("\r\n"):
        assert "\n" not in line and "\r" not in line
    assert "\r\nBcc:" not in ics
    api = client.get("/api/calls", params={"q": "vattenvård", "per_page": 100})
    assert api.headers["content-type"] == "application/json"
    csv_text = client.get("/export/calls.csv", params={"q": "vattenvård"}).content.decode("utf-8")
    assert "<script>alert('x')</script>" in csv_text  # data, not markup: a CSV is not rendered
