"""Migration 0002_digest: creates the ledger tables exactly as the models say, and steps down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from store.migrate import downgrade, upgrade
from tests.digest_support import seed

LEDGER = {"digest", "digest_item", "outbox", "unsubscribe", "alert"}


def _search_index(diff) -> bool:
    """The full-text index (store/search.py) is made by its migration, not by the models: not a difference."""
    text_of = repr(diff)
    return any(word in text_of for word in ("call_fts", "search", "tsv", "TSVECTOR", "_vector"))


def test_the_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert [d for d in differences if not _search_index(d)] == []
    assert LEDGER <= set(inspect(engine).get_table_names())


def test_down_to_0001_and_up_again_keeps_the_calls_and_restores_the_ledger(engine):
    seed(engine)
    with engine.connect() as conn:
        calls_before = conn.execute(text("SELECT count(*) FROM call")).scalar_one()

    downgrade(engine, "0001")
    assert not LEDGER & set(inspect(engine).get_table_names())
    upgrade(engine)

    assert LEDGER <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM call")).scalar_one() == calls_before == 8
        assert conn.execute(text("SELECT count(*) FROM digest")).scalar_one() == 0
