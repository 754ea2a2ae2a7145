"""Backup, restore and copying a database; all safe while the service runs.

SQLite: ``VACUUM INTO`` for a consistent copy of a live WAL database (a plain file copy can lose
data) and the online backup API for restore. PostgreSQL: ``pg_dump --format=custom`` and
``pg_restore --clean``. ``copy_database`` moves everything from one database to another (e.g. from
the embedded SQLite to a PostgreSQL server).
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers every table on SQLModel.metadata)
from errors import DatabaseError
from store.engine import safe_url
from store.migrate import upgrade

log = logging.getLogger(__name__)
_BATCH = 1000


def _libpq_url(engine: Engine) -> str:
    """The engine's URL in the form pg_dump understands (no SQLAlchemy driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(engine: Engine) -> Path:
    return Path(make_url(str(engine.url)).database or "")


def backup(engine: Engine, destination: str | Path) -> Path:
    """Write a consistent backup of the database to ``destination`` (which must not exist)."""
    dest = Path(destination)
    if dest.exists():
        raise DatabaseError(f"{dest}: already exists; choose a new backup file name")
    dest.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(_sqlite_path(engine), timeout=30) as conn:
            conn.execute("VACUUM INTO ?", (str(dest),))
        conn.close()
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dest}", _libpq_url(engine)], "pg_dump")
    log.info("backup of %s written to %s", safe_url(engine), dest)
    return dest


def restore(engine: Engine, source: str | Path) -> None:
    """Replace the database's content with a backup, then bring its schema up to date."""
    src = Path(source)
    if not src.is_file():
        raise DatabaseError(f"{src}: backup file not found")
    if engine.dialect.name == "sqlite":
        with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as backup_conn:
            try:
                check = backup_conn.execute("PRAGMA integrity_check").fetchone()[0]
                backup_conn.execute("SELECT version_num FROM alembic_version").fetchall()
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(f"{src}: not a fundwatch SQLite backup ({exc})") from None
            if check != "ok":
                raise DatabaseError(f"{src}: backup fails the integrity check: {check}")
            target = sqlite3.connect(_sqlite_path(engine), timeout=30)
            try:
                backup_conn.backup(target)
            finally:
                target.close()
        backup_conn.close()
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url(engine)}",
                str(src),
            ],
            "pg_restore",
        )
    engine.dispose()
    upgrade(engine)
    log.info("restored %s from %s", safe_url(engine), src)


def integrity_ok(engine: Engine) -> bool:
    """SQLite's integrity check (PostgreSQL: the server guarantees it; a trivial query must answer)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        return conn.execute(text("SELECT 1")).scalar() == 1


def copy_database(source: Engine, target: Engine) -> dict[str, int]:
    """Copy every table from ``source`` to an empty ``target`` (migrated first); returns rows per table."""
    upgrade(source)
    upgrade(target)
    tables = [t for t in SQLModel.metadata.sorted_tables]
    with target.connect() as conn:
        for table in tables:
            if conn.execute(select(func.count()).select_from(table)).scalar():
                raise DatabaseError(
                    f"{safe_url(target)}: table {table.name} is not empty; copy only into a new database"
                )
    counts: dict[str, int] = {}
    with source.connect() as src, target.begin() as dst:
        for table in tables:
            counts[table.name] = 0
            result = src.execution_options(stream_results=True).execute(
                select(table).order_by(*table.primary_key.columns)
            )
            while rows := result.fetchmany(_BATCH):
                dst.execute(insert(table), [dict(row._mapping) for row in rows])
                counts[table.name] += len(rows)
        if target.dialect.name == "postgresql":
            quote = target.dialect.identifier_preparer.quote
            for table in tables:  # table names come from our own metadata, never from input
                if "id" in table.columns:
                    name = quote(table.name)
                    dst.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                        ),
                        {"t": name},
                    )
    return counts


def _run(command: list[str], tool: str) -> None:
    if shutil.which(tool) is None:
        raise DatabaseError(f"{tool} is not installed; install the PostgreSQL client tools")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise DatabaseError(
            f"{tool} failed: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode}"
        )
