"""page-watch and wp-rest through the whole scrape (loopback servers, the real client and store on SQLite and
PostgreSQL): noisy re-fetches change nothing, a real change is one update, WordPress pages are walked to the end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlmodel import select

from scrapers.registry import discover
from scrapers.runner import run_scrape
from store.engine import read_session
from store.models import Call, CallChange
from tests.localserver import Handler, LocalServer
from tests.scrape_helpers import make_settings
from tests.test_page_watch import page

T0 = datetime(2025, 6, 2, 5, 30, tzinfo=UTC)


def scrape(settings, engine, now):
    return {r.source: r for r in run_scrape(settings, engine, now=now, registry=discover(), refresh=True)}


def test_a_watched_page_with_new_noise_is_unchanged_and_a_real_change_is_one_update(engine):
    with LocalServer() as site:
        site.sequence(
            "/bidrag",
            [
                (200, page(), None),
                (200, page(updated="2025-06-03", views=2000, token="beef", news="Ny nyhet"), None),
                (200, page(window="Ansökningstiden är mellan 1 september och 15 oktober."), None),
            ],
        )
        settings = make_settings([{"name": "boverket", "kind": "page-watch", "url": site.url("/bidrag")}])
        first = scrape(settings, engine, T0)["boverket"]
        second = scrape(settings, engine, T0 + timedelta(days=1))["boverket"]
        third = scrape(settings, engine, T0 + timedelta(days=2))["boverket"]
    assert (first.outcome, first.new) == ("ok", 1)
    assert (second.outcome, second.new, second.updated, second.unchanged) == ("ok", 0, 0, 1)
    assert (third.updated, third.unchanged) == (1, 0)
    with read_session(engine) as session:
        fields = {c.field for c in session.exec(select(CallChange))}
        call = session.exec(select(Call)).one()
    assert "description" in fields and "deadline_at" in fields
    assert (call.kind, call.extra["window"]) == ("recurring", {"opens": "09-01", "closes": "10-15"})


def posts(first: int, count: int) -> list[dict]:
    return [
        {
            "id": n,
            "date_gmt": "2026-05-01T08:00:00",
            "link": f"https://www.esf.se/utlysningar/{n}/",
            "title": {"rendered": f"Utlysning {n}"},
            "content": {"rendered": f"<p>Sista dag att ansöka är {n % 28 + 1} oktober 2026.</p>", "protected": False},
            "excerpt": {"rendered": "", "protected": False},
        }
        for n in range(first, first + count)
    ]


def test_wordpress_pages_are_walked_by_x_wp_totalpages_and_the_last_one_completes_the_listing(engine):
    asked: list[dict[str, list[str]]] = []

    def api(h: Handler) -> None:
        query = parse_qs(urlsplit(h.path).query)
        asked.append(query)
        page_number = int(query["page"][0])
        body = json.dumps(posts(1 + (page_number - 1) * 2, 2 if page_number < 3 else 1)).encode()
        h.reply(200, body, {"Content-Type": "application/json", "X-WP-Total": "5", "X-WP-TotalPages": "3"})

    with LocalServer() as site:
        site.routes["/wp-json/wp/v2/utlysning"] = api
        url = site.url("/wp-json/wp/v2/utlysning")
        settings = make_settings([{"name": "esf", "kind": "wp-rest", "url": url, "per_page": 2}])
        result = scrape(settings, engine, T0)["esf"]
    assert (result.outcome, result.fetched, result.parsed, result.new) == ("ok", 3, 5, 5)
    assert [q["page"] for q in asked] == [["1"], ["2"], ["3"]]
    assert all(q["orderby"] == ["modified"] and q["per_page"] == ["2"] for q in asked)
    with read_session(engine) as session:
        deadlines = sorted(c.deadline_at for c in session.exec(select(Call)))
    assert len(deadlines) == 5 and all(d.year == 2026 and d.month == 10 for d in deadlines)
