"""Schema migrations (Alembic), applied automatically on first use and by ``fundwatch db upgrade``.

Every revision lives in ``store/migrations/versions``; an upgrade never drops stored data.
On PostgreSQL an advisory lock keeps two processes from migrating at once.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from errors import DatabaseError
from store.engine import check_connection, safe_url

MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 0x66756E64  # "fund"


def _config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revisions() -> set[str]:
    return set(ScriptDirectory(str(MIGRATIONS)).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine, target: str = "heads") -> None:
    """Bring the schema up to ``target`` (default: the newest revision of every branch)."""
    check_connection(engine)
    if target == "heads" and current_revisions(engine) == head_revisions():
        return
    _run(engine, lambda cfg: command.upgrade(cfg, target))


def downgrade(engine: Engine, target: str) -> None:
    """Step the schema down to ``target`` (for tests of reversible migrations)."""
    check_connection(engine)
    _run(engine, lambda cfg: command.downgrade(cfg, target))


def _run(engine: Engine, action) -> None:
    try:
        with engine.connect() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_LOCK_KEY})
                conn.commit()
            try:
                action(_config(conn))
                conn.commit()
            finally:
                if postgres:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_LOCK_KEY})
                    conn.commit()
    except SQLAlchemyError as exc:
        raise DatabaseError(f"migrating {safe_url(engine)} failed: {exc}") from exc
