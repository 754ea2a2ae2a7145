"""Migrations: applied on first use, reversible, and never losing stored data (RELIABILITY.md D7, D8)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import inspect, text

from bench.generate import calls
from store.calls import upsert_calls
from store.engine import make_engine, write_session
from store.matches import set_feedback
from store.migrate import current_revisions, downgrade, head_revisions, upgrade
from store.models import Match, ScrapeRun

CORE_TABLES = ("call", "call_change", "scrape_run", "match", "feedback")


def checksum(engine, table: str, columns: list[str] | None = None) -> tuple[int, str]:
    """Row count and a hash of the rows (of ``columns`` only, when given: those every revision has)."""
    chosen = ", ".join(columns) if columns else "*"
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT {chosen} FROM {table} ORDER BY id")).all()
    return len(rows), hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


def populate(engine) -> None:
    """A realistic small database: 300 calls with changes, runs, matches and feedback."""
    now = datetime(2026, 11, 2, 5, 30, tzinfo=UTC)
    records = list(islice(calls(300, seed=3), 300))
    with write_session(engine) as s:
        upsert_calls(s, records, now=now)
    for record in records[:40]:
        record.deadlines = [d + timedelta(days=7) for d in record.deadlines]
    with write_session(engine) as s:
        upsert_calls(s, records, now=now + timedelta(days=1))
        for i in range(1, 61):
            s.add(
                Match(
                    profile_id=f"p{i % 5}",
                    call_id=i,
                    score=1 / i,
                    explanation={"priority": "x", "reasons": ["åäö"], "terms": []},
                    profile_version="v1",
                    matched_at=now,
                )
            )
            s.add(
                ScrapeRun(
                    source="eu-ftp", started_at=now + timedelta(hours=i), outcome="ok", fetched=i, parsed=i, new=1
                )
            )
        for i in range(1, 11):
            set_feedback(s, "p1", i, "relevant" if i % 2 else "not_relevant", "anna", now)


def test_upgrade_creates_every_table_and_records_the_head(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(CORE_TABLES) | {"job_run"} <= tables
    assert current_revisions(engine) == head_revisions()
    upgrade(engine)  # a second upgrade is a no-op
    assert current_revisions(engine) == head_revisions()
    engine.dispose()


def test_d7_up_down_up_on_a_realistic_database_keeps_counts_and_checksums(db_url):
    engine = make_engine(db_url)
    upgrade(engine)  # the models describe the newest schema, so data is written there, then taken down
    populate(engine)
    downgrade(engine, "0001")
    assert current_revisions(engine) == {"0001"}
    columns = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in CORE_TABLES}
    before = {t: checksum(engine, t, columns[t]) for t in CORE_TABLES}
    assert before["call_change"][0] == 80  # deadline_at and deadlines of 40 calls
    upgrade(engine)
    assert {t: checksum(engine, t, columns[t]) for t in CORE_TABLES} == before
    downgrade(engine, "0001")
    assert current_revisions(engine) == {"0001"}
    assert {t: checksum(engine, t, columns[t]) for t in CORE_TABLES} == before
    upgrade(engine)
    assert current_revisions(engine) == head_revisions()
    assert {t: checksum(engine, t, columns[t]) for t in CORE_TABLES} == before
    engine.dispose()


def test_0010_webperf_indexes_go_up_and_down_and_the_listing_reads_the_index(db_url):
    names = {
        "call": {"ix_call_status_deadline_at", "ix_call_status_first_seen_at", "ix_call_status_updated_at"}
        | {"ix_call_funder_deadline_at", "ix_call_language", "ix_call_kind"},
        "audit_event": {"ix_audit_event_action_target_at"},
    }

    def present() -> dict[str, set[str]]:
        inspector = inspect(engine)
        return {t: {i["name"] for i in inspector.get_indexes(t)} & wanted for t, wanted in names.items()}

    engine = make_engine(db_url)
    upgrade(engine)
    populate(engine)
    assert present() == names
    downgrade(engine, "0003_web_access")
    assert present() == {"call": set(), "audit_event": set()}
    upgrade(engine)
    assert present() == names
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            plan = " ".join(
                str(row[-1])
                for row in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT id FROM call WHERE status = 'open' ORDER BY deadline_at LIMIT 5"
                )
            )
        assert "COVERING INDEX ix_call_status_deadline_at" in plan
    engine.dispose()
