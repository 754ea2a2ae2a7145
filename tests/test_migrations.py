"""Migrations: applied on first use, reversible, and never losing stored data."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import inspect, text

from store.calls import upsert_calls
from store.engine import make_engine, write_session
from store.migrate import current_revisions, downgrade, head_revisions, upgrade
from store.records import CallRecord


def checksum(engine, table: str) -> tuple[int, str]:
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
    return len(rows), hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


def test_upgrade_creates_every_table_and_records_the_head(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"call", "call_change", "scrape_run", "match", "feedback"} <= tables
    assert current_revisions(engine) == head_revisions()
    upgrade(engine)  # a second upgrade is a no-op
    assert current_revisions(engine) == head_revisions()
    engine.dispose()


def test_upgrade_down_and_up_again_keeps_the_calls(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with write_session(engine) as s:
        upsert_calls(
            s,
            [
                CallRecord(source="s", external_id=str(i), title=f"Utlysning {i} åäö", url="https://x.se")
                for i in range(50)
            ],
            now=now,
        )
    before = checksum(engine, "call")
    # step every branch after the initial schema down and up again; calls live in the initial schema
    downgrade(engine, "0001")
    upgrade(engine)
    assert checksum(engine, "call") == before
    engine.dispose()
