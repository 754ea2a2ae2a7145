"""Backup and restore while writing (D6), integrity, and copying SQLite to PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from errors import DatabaseError
from scheduler import main
from store.backup import backup, integrity_ok, restore
from store.calls import count_calls, list_calls, upsert_calls
from store.engine import make_engine, read_session, write_session
from store.interchange import export_jsonl
from store.matches import set_feedback
from store.migrate import upgrade
from store.records import CallRecord

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def records(start: int, count: int) -> list[CallRecord]:
    return [
        CallRecord(source="bulk", external_id=str(i), title=f"Utlysning {i} – vattenvård åäö", url=f"https://x.se/{i}")
        for i in range(start, start + count)
    ]


def test_d6_backup_taken_during_writes_restores_to_a_sound_database(tmp_path, db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    with write_session(engine) as s:
        upsert_calls(s, records(0, 200), now=NOW)
    stop = threading.Event()
    written = [200]

    def writer() -> None:
        while not stop.is_set():
            with write_session(engine) as s:
                upsert_calls(s, records(written[0], 20), now=NOW)
            written[0] += 20

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 400:
            time.sleep(0.01)
        before = written[0]
        path = backup(engine, tmp_path / "backup.bin")
    finally:
        stop.set()
        thread.join()
    after = written[0]
    assert path.stat().st_size > 0
    # restore into the same database after more writes: the content is the backup's
    restore(engine, path)
    assert integrity_ok(engine)
    with read_session(engine) as s:
        restored = count_calls(s)
    assert before <= restored <= after
    assert restored % 20 == 0  # whole transactions only
    engine.dispose()


def test_backup_refuses_to_overwrite_and_restore_refuses_garbage(tmp_path, sqlite_url):
    engine = make_engine(sqlite_url)
    upgrade(engine)
    (tmp_path / "exists.db").write_text("x")
    with pytest.raises(DatabaseError, match="already exists"):
        backup(engine, tmp_path / "exists.db")
    (tmp_path / "garbage.db").write_bytes(b"not a database" * 100)
    with pytest.raises(DatabaseError, match="not a fundwatch SQLite backup"):
        restore(engine, tmp_path / "garbage.db")
    engine.dispose()


@pytest.mark.postgres
def test_db_copy_moves_everything_from_sqlite_to_postgresql(tmp_path, sqlite_url, pg_url, capsys):
    source = make_engine(sqlite_url)
    upgrade(source)
    with write_session(source) as s:
        upsert_calls(s, records(0, 30), now=NOW)
        set_feedback(s, "serviceforvaltningen", 1, "relevant", "anna", NOW)
    with write_session(source) as s:  # a change record too
        upsert_calls(s, [CallRecord(source="bulk", external_id="0", title="Ny titel", url="https://x.se/0")], now=NOW)
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    code = main(["--config", str(tmp_path / "config.toml"), "--database-url", sqlite_url, "db", "copy", "--to", pg_url])
    assert code == 0
    assert "call: 30" in capsys.readouterr().out
    target = make_engine(pg_url)
    with read_session(source) as a, read_session(target) as b:
        assert list(export_jsonl(list_calls(a))) == list(export_jsonl(list_calls(b)))
    with target.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM call_change")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM feedback")).scalar() == 1
    # the target's id sequences continue after the copied rows
    with write_session(target) as s:
        result = upsert_calls(s, records(1000, 1), now=NOW)
    assert result.new == 1
    # copying again into a non-empty database is refused
    code = main(["--config", str(tmp_path / "config.toml"), "--database-url", sqlite_url, "db", "copy", "--to", pg_url])
    assert code == 1
    assert "is not empty" in capsys.readouterr().err
    source.dispose()
    target.dispose()
