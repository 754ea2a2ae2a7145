"""Source health (R6, R7, R12): layout changes, drops, staleness and never silently disabling a source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scrapers.runner import run_scrape
from store.engine import read_session, write_session
from store.health import HealthPolicy, evaluate, source_health
from store.models import ScrapeRun
from tests.kinds_for_tests.listing import page
from tests.localserver import LocalServer
from tests.scrape_helpers import kinds_registry, make_settings

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
ITEMS = [(f"C{i}", "2027-03-15", f"Utlysning {i}") for i in range(10)]


def add_runs(engine, source: str, counts_or_outcomes: list, start: datetime = T0, step=timedelta(hours=6)) -> datetime:
    """Insert runs: an int is an ok run with that many calls; a str is an error run with that reason."""
    when = start
    with write_session(engine) as s:
        for item in counts_or_outcomes:
            if isinstance(item, int):
                s.add(ScrapeRun(source=source, started_at=when, finished_at=when, outcome="ok", parsed=item, fetched=1))
            else:
                s.add(
                    ScrapeRun(
                        source=source, started_at=when, finished_at=when, outcome="error", reason=item, error=f"{item}!"
                    )
                )
            when += step
    return when - step


def state(engine, now, name="src", enabled=True):
    with read_session(engine) as s:
        (h,) = source_health(s, [(name, "test-list", enabled)], now)
    return h


def test_r6_zero_items_alert_on_the_second_consecutive_run_only_and_none_after_restore(engine):
    """A real redesign: the page keeps answering 200 but holds no items, twice, then comes back."""
    with LocalServer() as server:
        settings = make_settings([{"name": "src", "kind": "test-list", "url": server.url("/calls")}])
        when = T0

        def run_with(body: str):
            nonlocal when
            server.static("/calls", body)
            (result,) = run_scrape(settings, engine, now=when, registry=kinds_registry())
            h = state(engine, when + timedelta(minutes=5))
            when += timedelta(hours=6)
            return result, h

        for _ in range(3):
            result, h = run_with(page(*ITEMS))
            assert h.state == "ok" and h.alerts == ()
        redesigned = "<html><body><div class='kort'>Utlysning 1</div></body></html>"
        result, first = run_with(redesigned)
        assert (result.outcome, result.parsed) == ("ok", 0)
        assert (first.state, first.alerts) == ("ok", ())
        result, second = run_with(redesigned)
        assert (second.state, second.reason) == ("unhealthy", "layout_changed")
        assert len(second.alerts) == 1 and second.alerts[0].startswith("Layout ändrad?")
        result, restored = run_with(page(*ITEMS))
        assert (restored.state, restored.alerts) == ("ok", ())


def test_r7_drop_by_more_than_half_warns_and_half_does_not(engine):
    add_runs(engine, "src", [10, 11, 9, 10, 4])
    h = state(engine, T0 + timedelta(days=2))
    assert (h.state, h.reason, h.median_count) == ("unhealthy", "drop", 10.0)
    assert h.alerts == ("Antalet utlysningar föll till 4 från cirka 10. Har sidan ändrats?",)

    add_runs(engine, "half", [10, 11, 9, 10, 5])
    assert state(engine, T0 + timedelta(days=2), "half").alerts == ()


def test_r7_small_median_then_zero_gives_only_the_zero_items_alert(engine):
    add_runs(engine, "src", [2, 2, 3, 0])
    assert state(engine, T0 + timedelta(days=2)).alerts == ()
    add_runs(engine, "src", [0], start=T0 + timedelta(days=1))
    h = state(engine, T0 + timedelta(days=2))
    assert h.reason == "layout_changed" and len(h.alerts) == 1 and "Layout ändrad?" in h.alerts[0]


def test_r7_a_source_that_never_found_anything_raises_no_layout_alert(engine):
    add_runs(engine, "src", [0, 0, 0])
    assert state(engine, T0 + timedelta(days=1)).alerts == ()


def test_an_error_run_makes_the_source_unhealthy_with_its_reason_and_recovery_clears_it(engine):
    last = add_runs(engine, "src", [5, 5, "timeout"])
    h = state(engine, last + timedelta(minutes=1))
    assert (h.state, h.reason, h.consecutive_failures, h.last_error) == ("unhealthy", "timeout", 1, "timeout!")
    assert h.alerts[0].startswith("Senaste hämtningen misslyckades: timeout")
    last = add_runs(engine, "src", [5], start=last + timedelta(hours=6))
    h = state(engine, last + timedelta(minutes=1))
    assert (h.state, h.alerts, h.last_error) == ("ok", (), "timeout!")


def test_r12_stale_after_seven_days_without_success(engine):
    last = add_runs(engine, "src", [5] + ["connection_error"] * 3, step=timedelta(days=2))
    h = state(engine, T0 + timedelta(days=7, hours=1))
    assert h.stale and h.state == "unhealthy"
    assert any(a.startswith("Ingen lyckad hämtning sedan 2026-11-02") for a in h.alerts)
    assert not state(engine, last).stale  # day 6: not yet

    add_runs(engine, "quiet", [5])
    quiet = state(engine, T0 + timedelta(days=8), "quiet")
    assert (quiet.state, quiet.stale) == ("stale", True)


def test_never_run_and_disabled_states(engine):
    assert state(engine, T0).state == "never_run"
    add_runs(engine, "src", ["http_error"])
    assert state(engine, T0, enabled=False).state == "disabled"


def test_r12_backoff_doubles_and_never_exceeds_24_hours():
    policy = HealthPolicy()
    waits = []
    for failures in range(1, 25):
        runs = [ScrapeRun(source="s", started_at=T0, outcome="error", reason="timeout") for _ in range(failures)]
        h = evaluate("s", "k", True, runs, T0, policy)
        waits.append(None if h.next_attempt_at is None else h.next_attempt_at - T0)
    assert waits[:9] == [None] * 9
    assert waits[9:14] == [timedelta(hours=h) for h in (1, 2, 4, 8, 16)]
    assert all(w == timedelta(hours=24) for w in waits[14:])


def test_r12_ten_consecutive_failures_keep_the_source_scheduled_with_alerts(engine):
    with LocalServer() as server:
        server.static("/calls", "down", status=500)
        settings = make_settings(
            [{"name": "src", "kind": "test-list", "url": server.url("/calls")}], http={"retries": 0}
        )
        registry = kinds_registry()
        when = T0
        for _ in range(10):
            (result,) = run_scrape(settings, engine, now=when, registry=registry)
            assert result.outcome == "error"
            when += timedelta(hours=6)
        last_attempt = when - timedelta(hours=6)
        h = state(engine, last_attempt + timedelta(minutes=1))
        assert h.consecutive_failures == 10 and h.state == "unhealthy"
        assert h.next_attempt_at == last_attempt + timedelta(hours=1)
        assert any("inte avstängd" in a for a in h.alerts)

        # inside the backoff window: skipped, visibly, and nothing recorded
        (early,) = run_scrape(settings, engine, now=last_attempt + timedelta(minutes=30), registry=registry)
        assert (early.outcome, early.reason, early.recorded) == ("skipped", "backoff", False)
        requests_before = len(server.hits_for("/calls"))
        # when due it runs again, and --force runs it at once
        (due,) = run_scrape(settings, engine, now=last_attempt + timedelta(hours=1), registry=registry)
        assert due.outcome == "error" and len(server.hits_for("/calls")) == requests_before + 1
        (forced,) = run_scrape(
            settings, engine, now=last_attempt + timedelta(hours=1, minutes=1), registry=registry, force=True
        )
        assert forced.outcome == "error"

        server.static("/calls", page(*ITEMS))
        (back,) = run_scrape(settings, engine, now=last_attempt + timedelta(hours=6), registry=registry)
        assert back.outcome == "ok"
    h = state(engine, last_attempt + timedelta(hours=6, minutes=1))
    assert (h.state, h.consecutive_failures, h.next_attempt_at) == ("ok", 0, None)


@pytest.mark.parametrize("outcome", ["not_modified"])
def test_a_304_run_counts_as_success_without_a_count(engine, outcome):
    add_runs(engine, "src", [10, 10])
    with write_session(engine) as s:
        s.add(ScrapeRun(source="src", started_at=T0 + timedelta(days=1), outcome=outcome))
    h = state(engine, T0 + timedelta(days=1, hours=1))
    assert (h.state, h.last_count, h.alerts) == ("ok", 10, ())
