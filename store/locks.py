"""Leader lock: exactly one scheduler acts against a database at a time.

SQLite: an exclusive ``flock`` on a file beside the database (released by the kernel when the
holder dies). PostgreSQL: a session-level advisory lock held on a dedicated connection (released
by the server when the holder's connection ends). A standby polls ``try_acquire`` and takes over.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

#: advisory lock key: "fundwatch scheduler"
PG_SCHEDULER_KEY = 0x66770001


class LeaderLock:
    """Interface: ``try_acquire()`` -> bool, ``still_held()`` -> bool, ``release()``."""

    def try_acquire(self) -> bool:
        raise NotImplementedError

    def still_held(self) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> LeaderLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class FileLock(LeaderLock):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def still_held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None


class PostgresAdvisoryLock(LeaderLock):
    def __init__(self, engine: Engine, key: int = PG_SCHEDULER_KEY) -> None:
        self.engine, self.key = engine, key
        self._conn = None

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return self.still_held()
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        except SQLAlchemyError:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def still_held(self) -> bool:
        """False when the dedicated connection broke (the server has then released the lock)."""
        if self._conn is None:
            return False
        try:
            self._conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            log.error("lost the scheduler lock: its database connection broke")
            self._close()
            return False

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        except SQLAlchemyError:
            pass
        self._close()

    def _close(self) -> None:
        try:
            self._conn.invalidate()
            self._conn.close()
        except SQLAlchemyError:
            pass
        self._conn = None


def leader_lock(engine: Engine, var_dir: str | Path) -> LeaderLock:
    """The right lock for the engine's database."""
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLock(engine)
    database = engine.url.database or ""
    if database and database != ":memory:":
        return FileLock(Path(database).with_suffix(".scheduler.lock"))
    return FileLock(Path(var_dir) / "scheduler.lock")
