"""`fundwatch run` (what `make run` starts) scrapes, matches and writes digests on schedule, and serves the UI.

The real entry point runs briefly against the demo's recorded responses with a fast schedule.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from store.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent
FAR = "0 4 1 1 *"


def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[database]
url = "sqlite:///{tmp_path / "fw.db"}"
[paths]
profiles_dir = "{ROOT / "profiles"}"
var_dir = "{tmp_path / "var"}"
[http]
min_delay = 0.0
[scrape]
replay_dir = "{ROOT / "demo" / "recordings"}"
[email]
mode = "outbox"
outbox_dir = "{tmp_path / "outbox"}"
[digest]
overview_recipients = ["klk@kalmar.example"]
[schedule]
scrape = "*/4 * * * * *"
digest = "*/5 * * * * *"
overview = "*/5 * * * * *"
reminders = "{FAR}"
reconcile = "{FAR}"
""",
        encoding="utf-8",
    )
    src = (ROOT / "config.toml").read_text(encoding="utf-8")
    # the shipped sources, so the recorded ones replay under their real configuration
    path.write_text(path.read_text(encoding="utf-8") + "\n" + src[src.index("\n[[sources]]") :], encoding="utf-8")
    return path


def count(db: Path, table: str) -> int:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    except Exception:  # noqa: BLE001 - the table may not exist yet while the process starts
        return 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_run_scrapes_matches_and_writes_digests_on_schedule_and_serves_the_ui(tmp_path):
    cfg = config(tmp_path)
    log = tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDWATCH_")}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "scheduler.py"), "--config", str(cfg), "run", "--port", "0"],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            env=dict(env, PYTHONUNBUFFERED="1"),
        )
    try:
        outbox = tmp_path / "outbox"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if list(outbox.glob("**/*.eml")) and count(tmp_path / "fw.db", "match") > 0:
                break
            if proc.poll() is not None:
                break
            time.sleep(0.5)
        output = log.read_text()
        assert proc.poll() is None, f"fundwatch run exited early:\n{output}"
        assert count(tmp_path / "fw.db", "call") >= 30, output
        assert count(tmp_path / "fw.db", "match") > 0, output
        assert list(outbox.glob("**/*.eml")), output
        port = re.search(r"web UI listening on http://[^:]+:(\d+)", output)
        assert port, output
        health = httpx.get(f"http://127.0.0.1:{port.group(1)}/healthz", timeout=10)
        assert health.status_code == 200
        search = httpx.get(f"http://127.0.0.1:{port.group(1)}/?q=klimat", timeout=10)
        assert search.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0, log.read_text()
    assert "scheduler stopped" in log.read_text()
