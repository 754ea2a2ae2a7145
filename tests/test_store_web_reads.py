"""Read queries behind the web UI: failed logins (the login rate limit) and source run histories, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.accounts import failed_logins, login_target, record_audit
from store.engine import read_session, write_session

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _attempt(engine, username: str, address: str, ok: bool, at: datetime) -> None:
    with write_session(engine) as db:
        action = "login" if ok else "login.failed"
        record_audit(db, username, action, login_target(username), {"address": address}, now=at)


def test_failed_logins_are_counted_per_user_name_and_per_address_within_the_window(engine):
    _attempt(engine, "anna", "10.0.0.1", False, T0 - timedelta(minutes=20))  # before the window
    _attempt(engine, "anna", "10.0.0.1", False, T0 + timedelta(minutes=1))
    _attempt(engine, "anna", "10.0.0.2", False, T0 + timedelta(minutes=2))
    _attempt(engine, "bo", "10.0.0.1", False, T0 + timedelta(minutes=3))
    with write_session(engine) as db:  # other audit records do not count
        record_audit(db, "anna", "profile.save", "profile:miljo", {"address": "10.0.0.1"}, now=T0)
    with read_session(engine) as db:
        by_user, by_address = failed_logins(db, "anna", "10.0.0.1", since=T0 - timedelta(minutes=15))
    assert by_user == [T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]
    assert by_address == [T0 + timedelta(minutes=1), T0 + timedelta(minutes=3)]


def test_a_successful_login_ends_the_count_for_its_user_name_but_not_for_the_address(engine):
    for minute in (1, 2, 3):
        _attempt(engine, "anna", "10.0.0.1", False, T0 + timedelta(minutes=minute))
    _attempt(engine, "anna", "10.0.0.1", True, T0 + timedelta(minutes=4))
    _attempt(engine, "anna", "10.0.0.1", False, T0 + timedelta(minutes=5))
    with read_session(engine) as db:
        by_user, by_address = failed_logins(db, "anna", "10.0.0.1", since=T0)
    assert by_user == [T0 + timedelta(minutes=5)]
    assert len(by_address) == 4


def test_an_address_that_looks_like_a_pattern_matches_only_itself(engine):
    _attempt(engine, "anna", "10.0.0.1", False, T0)
    with read_session(engine) as db:
        assert failed_logins(db, "anna", "10.0.0.%", since=T0 - timedelta(minutes=1))[1] == []
        assert failed_logins(db, "", "", since=T0 - timedelta(minutes=1)) == ([], [])


def test_run_histories_gives_each_sources_latest_runs_oldest_first_in_one_query(engine):
    from sqlalchemy import event

    from store.browse import run_histories
    from store.models import ScrapeRun

    with write_session(engine) as db:
        for day in range(40):
            for source in ("a", "b"):
                db.add(ScrapeRun(source=source, started_at=T0 + timedelta(days=day), parsed=day))
        db.add(ScrapeRun(source="c", started_at=T0, parsed=7))
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with read_session(engine) as db:
        histories = run_histories(db, ["a", "b", "c", "never-ran"], limit=30)
    assert [run.parsed for run in histories["a"]] == list(range(10, 40))
    assert [run.parsed for run in histories["b"]] == list(range(10, 40))
    assert [run.parsed for run in histories["c"]] == [7] and histories["never-ran"] == []
    assert len([s for s in statements if "scrape_run" in s]) == 1
