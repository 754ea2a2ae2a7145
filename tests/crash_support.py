"""Helpers of the D3 crash tests: the real CLI over replayed recordings, and a canonical dump of the state.

The recordings are demo/recordings plus a copy of Vinnova's under a second source name (``vinnova-kopia``),
so the scrape also finds duplicates to group. Sources run one at a time (``scrape.concurrency = 1``) in
configuration order, so "the second committed batch" names the same source every run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from store.engine import make_engine, read_session
from store.health import source_health
from store.models import Call, CallChange, Match, ScrapeRun

ROOT = Path(__file__).resolve().parent.parent
COPY = "vinnova-kopia"
#: timestamps of the run itself: a re-run a second later stamps them differently
RUN_STAMPS = {"id", "first_seen_at", "last_seen_at", "updated_at"}


def prepare(folder: Path) -> Path:
    """The shipped config.toml plus the copied source, and the recordings, under ``folder``; returns the config."""
    recordings = folder / "recordings"
    shutil.copytree(ROOT / "demo" / "recordings", recordings)
    shutil.copytree(recordings / "vinnova", recordings / COPY)
    index = recordings / COPY / "index.json"
    data = json.loads(index.read_text(encoding="utf-8"))
    data["source"] = COPY
    index.write_text(json.dumps(data), encoding="utf-8")
    config = folder / "config.toml"
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8")
    config.write_text(shipped + f'\n[[sources]]\nname = "{COPY}"\nkind = "vinnova"\n', encoding="utf-8")
    return config


def cli(config: Path, db_url: str, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    """``fundwatch --config CONFIG --database-url URL ARGS`` as a real process (killed where ``crash_at`` says)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDWATCH_")}
    env.update(
        FUNDWATCH_HTTP_MIN_DELAY="0",
        FUNDWATCH_SCRAPE_CONCURRENCY="1",
        FUNDWATCH_PATHS_VAR_DIR=str(config.parent / "var"),
        FUNDWATCH_PATHS_PROFILES_DIR=str(ROOT / "profiles"),
    )
    if crash_at:
        env["FUNDWATCH_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, str(ROOT / "scheduler.py"), "--config", str(config), "--database-url", db_url, *args],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def scrape(config: Path, db_url: str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    return cli(config, db_url, "scrape", "--replay", str(config.parent / "recordings"), crash_at=crash_at)


def _plain(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return value


def canonical(db_url: str) -> dict[str, object]:
    """The state a run leaves, without its own ids and timestamps: calls, matches, changes and source health."""
    engine = make_engine(db_url)
    try:
        with read_session(engine) as session:
            calls = session.exec(select(Call)).all()
            key = {c.id: (c.source, c.external_id) for c in calls}
            dumped_calls = sorted(
                ({k: _plain(v) for k, v in c.model_dump().items() if k not in RUN_STAMPS} for c in calls),
                key=lambda c: (c["source"], c["external_id"]),
            )
            matches = sorted(
                (m.profile_id, *key[m.call_id], m.score, json.dumps(m.explanation, sort_keys=True), m.profile_version)
                for m in session.exec(select(Match))
            )
            changes = sorted(
                (*key[c.call_id], c.field, c.old_value, c.new_value) for c in session.exec(select(CallChange))
            )
            sources = sorted({r.source for r in session.exec(select(ScrapeRun))} | {s for s, _ in key.values()})
            health = [
                (h.name, h.state, h.consecutive_failures, h.last_outcome, h.last_parsed, h.reason, h.alerts)
                for h in source_health(session, [(s, "", True) for s in sources], datetime.now(UTC))
            ]
        return {"calls": dumped_calls, "matches": matches, "changes": changes, "health": health}
    finally:
        engine.dispose()


def runs_in_order(db_url: str) -> list[str]:
    """The sources of the recorded runs, oldest first."""
    engine = make_engine(db_url)
    try:
        with read_session(engine) as session:
            return [r.source for r in session.exec(select(ScrapeRun).order_by(ScrapeRun.id))]
    finally:
        engine.dispose()


def integrity(db_url: str) -> str:
    """SQLite's ``PRAGMA integrity_check`` ("ok"); on PostgreSQL, that every table can be read ("ok")."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                return "\n".join(row[0] for row in conn.execute(text("PRAGMA integrity_check")))
            for table in ("call", "call_change", "scrape_run", "match"):
                conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            return "ok"
    finally:
        engine.dispose()
