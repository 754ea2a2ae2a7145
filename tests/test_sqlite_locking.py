"""SQLite concurrency: WAL mode, and write transactions that start immediately (RELIABILITY.md D2)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bench import concurrency
from store.calls import count_calls, upsert_calls
from store.engine import make_engine, read_session, write_session
from store.migrate import upgrade
from store.records import CallRecord

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def record(i: int) -> CallRecord:
    return CallRecord(source="s", external_id=str(i), title=f"Utlysning {i}", url="https://x.se")


def test_journal_mode_is_wal(sqlite_url):
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_d2_read_then_write_does_not_fail_when_another_writer_commits_in_between(sqlite_url):
    engine = make_engine(sqlite_url, busy_timeout_ms=5000)
    upgrade(engine)
    with write_session(engine) as s:
        upsert_calls(s, [record(0)], now=NOW)
    a_has_read, errors = threading.Event(), []

    def writer_a() -> None:
        try:
            with write_session(engine) as s:
                count_calls(s)  # read first ...
                a_has_read.set()
                threading.Event().wait(0.5)  # ... while B tries to commit ...
                upsert_calls(s, [record(1)], now=NOW)  # ... then write
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    def writer_b() -> None:
        a_has_read.wait()
        try:
            with write_session(engine) as s:
                upsert_calls(s, [record(2)], now=NOW)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with read_session(engine) as s:
        assert count_calls(s) == 3
    engine.dispose()


def test_readers_are_not_blocked_by_an_open_write_transaction(sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade(engine)
    with write_session(engine) as s:
        upsert_calls(s, [record(0)], now=NOW)
    with write_session(engine) as s:
        upsert_calls(s, [record(1)], now=NOW)  # written, not yet committed
        with read_session(engine) as reader:  # another connection reads the last committed state at once
            assert count_calls(reader) == 1
    with read_session(engine) as reader:
        assert count_calls(reader) == 2
    engine.dispose()


@pytest.mark.slow
def test_d1_readers_in_other_processes_see_no_error_while_1000_upserts_are_written_in_50_row_transactions(
    tmp_path,
):
    # the few-second version of `python -m bench.concurrency` (30 s, timings printed there, never asserted)
    figures = concurrency.run(tmp_path / "d1.db", seconds=3, calls_count=300, upserts=1000, batch=50, count=4)

    assert figures["errors"] == [] and figures["error_count"] == 0
    assert figures["rows_written"] == figures["rows_present"] == 1000
    assert figures["searches_during_writes"] > 0 and figures["baseline_searches_alone"] > 0
