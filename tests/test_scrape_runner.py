"""run_scrape against real loopback servers and a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from scrapers.runner import run_scrape
from store.calls import list_calls
from store.engine import read_session
from store.health import source_health
from store.models import CallChange, HttpValidator, ScrapeRun
from tests.kinds_for_tests.listing import page
from tests.localserver import Handler, LocalServer
from tests.scrape_helpers import kinds_registry, make_settings

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
THREE = (("A1", "2027-03-15", "Hållbar stad"), ("A2", "2027-04-01", "Digital skola"), ("A3", "", "Kultur åäö"))


@pytest.fixture
def server():
    with LocalServer() as s:
        yield s


def source(name: str, url: str, **options) -> dict:
    return {"name": name, "kind": "test-list", "url": url, **options}


def scrape(settings, engine, now=T0, **kw):
    return {r.source: r for r in run_scrape(settings, engine, now=now, registry=kinds_registry(), **kw)}


def runs(engine, name: str) -> list[ScrapeRun]:
    with read_session(engine) as s:
        return list(s.exec(select(ScrapeRun).where(ScrapeRun.source == name).order_by(ScrapeRun.id)))


def health(engine, settings, now):
    entries = [(s.name, s.kind, s.enabled) for s in settings.sources]
    with read_session(engine) as s:
        return {h.name: h for h in source_health(s, entries, now)}


def test_a_scrape_stores_calls_counts_them_and_records_the_run(engine, server):
    server.static("/calls", page(*THREE))
    settings = make_settings([source("calls", server.url("/calls"))])
    result = scrape(settings, engine)["calls"]
    assert (result.outcome, result.fetched, result.parsed, result.new) == ("ok", 1, 3, 3)
    with read_session(engine) as s:
        calls = list_calls(s)
    assert [c.title for c in calls] == ["Hållbar stad", "Digital skola", "Kultur åäö"]
    (run,) = runs(engine, "calls")
    assert (run.outcome, run.fetched, run.parsed, run.new, run.updated, run.errors) == ("ok", 1, 3, 3, 0, 0)

    again = scrape(settings, engine, now=T0 + timedelta(hours=6))["calls"]
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)


def test_a_moved_deadline_is_an_update_with_a_change_record(engine, server):
    server.sequence(
        "/calls", [(200, page(*THREE), None), (200, page(("A1", "2027-05-01", "Hållbar stad"), *THREE[1:]), None)]
    )
    settings = make_settings([source("calls", server.url("/calls"))])
    scrape(settings, engine)
    result = scrape(settings, engine, now=T0 + timedelta(days=1))["calls"]
    assert (result.updated, result.unchanged) == (1, 2)
    with read_session(engine) as s:
        fields = sorted({c.field for c in s.exec(select(CallChange))})
    assert fields == ["deadline_at", "deadlines"]


def test_detail_pages_are_followed_and_complete_the_calls(engine, server):
    listing = '<ul><li class="call" data-id="D1" data-deadline="2027-01-31" href="/d/1">Stöd till föreningar</li></ul>'
    server.static("/calls", listing)
    server.static("/d/1", '<p class="text">Bidrag för lokala föreningar i Kalmar län.</p>')
    settings = make_settings([source("calls", server.url("/calls"), details=True)])
    result = scrape(settings, engine)["calls"]
    assert (result.fetched, result.parsed) == (2, 1)
    with read_session(engine) as s:
        (call,) = list_calls(s)
    assert call.description == "Bidrag för lokala föreningar i Kalmar län." and call.url == server.url("/d/1")


def test_calls_missing_from_a_complete_listing_are_marked_unlisted_not_deleted(engine, server):
    server.sequence("/calls", [(200, page(*THREE), None), (200, page(*THREE[:2]), None), (200, page(), None)])
    settings = make_settings([source("calls", server.url("/calls"))])
    scrape(settings, engine)
    second = scrape(settings, engine, now=T0 + timedelta(hours=6))["calls"]
    assert second.unlisted == 1
    # a page that suddenly lists nothing must not unlist everything
    third = scrape(settings, engine, now=T0 + timedelta(hours=12))["calls"]
    assert third.unlisted == 0
    with read_session(engine) as s:
        listed = {c.external_id: c.listed for c in list_calls(s)}
    assert listed == {"A1": True, "A2": True, "A3": False}


def test_r2_after_the_last_retry_the_run_records_http_error_and_one_error_line(engine, server, caplog):
    server.static("/calls", "down", status=503)
    settings = make_settings([source("calls", server.url("/calls"))], http={"retries": 2})
    with caplog.at_level(logging.INFO):
        result = scrape(settings, engine)["calls"]
    assert (result.outcome, result.reason) == ("error", "http_error")
    (run,) = runs(engine, "calls")
    assert (run.outcome, run.reason) == ("error", "http_error") and "503" in run.error
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "calls" in errors[0] and "3 attempt(s)" in errors[0] and "reason=http_error" in errors[0]


def test_r5_etag_round_trip_a_304_writes_nothing_and_keeps_the_calls_visible(engine, server):
    def feed(h: Handler) -> None:
        if h.headers.get("If-None-Match") == '"rev-7"':
            h.reply(304, b"", {"ETag": '"rev-7"'})
        else:
            h.reply(200, page(*THREE).encode(), {"ETag": '"rev-7"'})

    server.routes["/calls"] = feed
    settings = make_settings([source("calls", server.url("/calls"))])
    first = scrape(settings, engine)["calls"]
    assert first.outcome == "ok" and first.parsed == 3
    with read_session(engine) as s:
        before = [(c.id, c.updated_at, c.last_seen_at, c.listed) for c in list_calls(s)]
        assert s.exec(select(HttpValidator)).one().etag == '"rev-7"'

    second = scrape(settings, engine, now=T0 + timedelta(hours=6))["calls"]
    assert server.hits_for("/calls")[1].headers["if-none-match"] == '"rev-7"'
    assert (second.outcome, second.not_modified, second.parsed, second.new, second.updated) == (
        "not_modified",
        1,
        0,
        0,
        0,
    )
    with read_session(engine) as s:
        after = [(c.id, c.updated_at, c.last_seen_at, c.listed) for c in list_calls(s)]
        assert s.exec(select(CallChange)).all() == []
    assert after == before and all(listed for *_, listed in after)
    assert [r.outcome for r in runs(engine, "calls")] == ["ok", "not_modified"]
    assert health(engine, settings, T0 + timedelta(hours=7))["calls"].state == "ok"

    refreshed = scrape(settings, engine, now=T0 + timedelta(hours=8), refresh=True)["calls"]
    assert refreshed.outcome == "ok" and "if-none-match" not in server.hits_for("/calls")[2].headers


def test_validators_are_not_remembered_when_parsing_failed(engine, server):
    server.static("/calls", "<html>redesigned</html>", headers={"ETag": '"new"'})
    settings = make_settings([source("calls", server.url("/calls"), strict=True)])
    result = scrape(settings, engine)["calls"]
    assert (result.outcome, result.reason) == ("error", "layout_changed")
    with read_session(engine) as s:
        assert s.exec(select(HttpValidator)).all() == []


def test_a_kind_that_crashes_fails_alone(engine, server):
    server.static("/calls", page(*THREE))
    settings = make_settings(
        [{"name": "buggy", "kind": "test-buggy", "url": server.url("/calls")}, source("good", server.url("/calls"))]
    )
    results = scrape(settings, engine)
    assert (results["buggy"].outcome, results["buggy"].reason) == ("error", "parse_error")
    assert "KeyError" in results["buggy"].error
    assert results["good"].parsed == 3


def test_r10_robots_500_skips_the_source_run_with_a_recorded_reason(engine, server):
    server.static("/robots.txt", "oops", status=500)
    server.static("/calls", page(*THREE))
    settings = make_settings([source("calls", server.url("/calls"))], http={"retries": 1})
    result = scrape(settings, engine)["calls"]
    assert (result.outcome, result.reason) == ("skipped", "robots_unavailable")
    assert server.hits_for("/calls") == []
    (run,) = runs(engine, "calls")
    assert (run.outcome, run.reason) == ("skipped", "robots_unavailable") and "500" in run.error


def test_disabled_sources_are_not_run_unless_named(engine, server):
    server.static("/calls", page(*THREE))
    settings = make_settings([source("off", server.url("/calls"), enabled=False)])
    assert scrape(settings, engine) == {}
    assert scrape(settings, engine, names=["off"])["off"].parsed == 3


def test_sources_on_different_hosts_run_concurrently_and_one_host_stays_polite(engine):
    slow_page = page(*THREE).encode()

    def slow(h: Handler) -> None:
        time.sleep(0.4)
        h.reply(200, slow_page)

    with LocalServer() as one, LocalServer() as two:
        for s in (one, two):
            s.routes["/calls"] = slow
            s.routes["/more"] = slow
        settings = make_settings(
            [
                source("one-a", one.url("/calls")),
                source("one-b", one.url("/more")),
                source("two", two.url("/calls")),
            ],
            http={"min_delay": 0.3},
        )
        results = scrape(settings, engine)
        assert all(r.outcome == "ok" for r in results.values())
        a, b = sorted(one.hits_for("/calls") + one.hits_for("/more"), key=lambda h: h.started)
        other = two.hits_for("/calls")[0]
    assert b.started - a.finished >= 0.3, "two sources on one host were not kept apart"
    assert other.started < a.finished, "the other host waited for the first"


def test_done_when_timeout_500_and_changed_layout_fail_alone_and_are_marked_unhealthy(engine):
    """Issue 3: one source times out, one answers 500, one changed its layout; the others' calls are stored."""

    def trickle(h: Handler) -> None:
        h.send_response(200)
        h.end_headers()
        for _ in range(20):
            h.wfile.write(b"<")
            h.wfile.flush()
            time.sleep(0.5)

    with LocalServer() as good, LocalServer() as slow, LocalServer() as broken, LocalServer() as redesigned:
        for s in (good, slow, broken, redesigned):
            s.static("/calls", page(*THREE))
        settings = make_settings(
            [
                source("good", good.url("/calls")),
                source("slow", slow.url("/calls")),
                source("broken", broken.url("/calls")),
                source("redesigned", redesigned.url("/calls")),
            ],
            http={"deadline": 1.0, "retries": 1},
        )
        for day in range(3):  # a healthy history
            assert all(r.outcome == "ok" for r in scrape(settings, engine, now=T0 + timedelta(days=day)).values())

        slow.routes["/calls"] = trickle
        broken.static("/calls", "Internal Server Error", status=500)
        redesigned.static("/calls", "<html><main><div class='card'>Hållbar stad</div></main></html>")
        good.static("/calls", page(*THREE, ("A4", "2027-06-30", "Ny utlysning")))
        for day in (3, 4):
            results = scrape(settings, engine, now=T0 + timedelta(days=day))

    assert (results["good"].outcome, results["good"].parsed) == ("ok", 4)
    assert (results["slow"].outcome, results["slow"].reason) == ("error", "timeout")
    assert (results["broken"].outcome, results["broken"].reason) == ("error", "http_error")
    assert (results["redesigned"].outcome, results["redesigned"].parsed) == ("ok", 0)
    with read_session(engine) as s:
        stored = {(c.source, c.external_id) for c in list_calls(s)}
    assert ("good", "A4") in stored
    assert {("slow", "A1"), ("broken", "A1"), ("redesigned", "A1")} <= stored  # nothing lost
    assert [r.reason for r in runs(engine, "slow")][-2:] == ["timeout", "timeout"]
    assert [r.reason for r in runs(engine, "broken")][-2:] == ["http_error", "http_error"]

    states = health(engine, settings, T0 + timedelta(days=4, hours=1))
    assert states["good"].state == "ok" and states["good"].alerts == ()
    assert (states["slow"].state, states["slow"].reason) == ("unhealthy", "timeout")
    assert (states["broken"].state, states["broken"].reason) == ("unhealthy", "http_error")
    assert (states["redesigned"].state, states["redesigned"].reason) == ("unhealthy", "layout_changed")
    assert any("Layout ändrad?" in a for a in states["redesigned"].alerts)


def test_progress_reports_start_and_done_for_each_source(engine, server):
    server.static("/calls", page(*THREE))
    settings = make_settings([source("a", server.url("/calls")), source("b", server.url("/calls"))])
    events = []
    run_scrape(settings, engine, now=T0, registry=kinds_registry(), progress=lambda e, r: events.append((e, r.source)))
    assert sorted(events) == [("done", "a"), ("done", "b"), ("start", "a"), ("start", "b")]


def test_the_validator_migration_goes_down_and_up(db_url):
    from sqlalchemy import inspect

    from store.engine import make_engine
    from store.migrate import downgrade, upgrade

    eng = make_engine(db_url)
    upgrade(eng)
    assert "http_validator" in inspect(eng).get_table_names()
    downgrade(eng, "0001")
    assert "http_validator" not in inspect(eng).get_table_names()
    upgrade(eng)
    assert "http_validator" in inspect(eng).get_table_names()
    eng.dispose()


def test_a_listing_that_leads_to_detail_pages_is_never_skipped_by_a_304(engine, server):
    listing = '<ul><li class="call" data-id="D1" data-deadline="2027-01-31" href="/d/1">Stöd</li></ul>'
    server.static("/calls", listing, headers={"ETag": '"same"'})
    server.static("/d/1", '<p class="text">Text</p>')
    settings = make_settings([source("calls", server.url("/calls"), details=True)])
    scrape(settings, engine)
    scrape(settings, engine, now=T0 + timedelta(hours=6))
    assert "if-none-match" not in server.hits_for("/calls")[1].headers
    assert len(server.hits_for("/d/1")) == 2


def test_a_gentle_source_keeps_its_own_longer_delay_between_requests_to_its_host(engine):
    """norden.org asks to be scraped gently: a source's min_delay spaces its requests beyond http.min_delay."""
    with LocalServer() as site:
        site.static("/calls", page(*THREE))
        site.static("/more", page(("B1", "2027-05-01", "Nordiskt samarbete")))
        settings = make_settings(
            [source("gentle", site.url("/calls"), pages=[site.url("/more")], min_delay=0.4)],
            http={"min_delay": 0.05},
        )
        assert scrape(settings, engine)["gentle"].outcome == "ok"
        first, second = sorted(site.hits_for("/calls") + site.hits_for("/more"), key=lambda h: h.started)
    # the server stamps "finished" a moment after the client's gate does: allow that skew, far below the
    # difference between the source's own 0.4 s and the global 0.05 s
    assert second.started - first.finished >= 0.35
