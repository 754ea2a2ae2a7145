"""E2: the real CLI killed with SIGKILL at named points of delivery, then run again.

The kill comes from the ``FUNDWATCH_CRASH_AT`` test hook in ``alerts/delivery.py``: the process sends
itself SIGKILL at that point (no cleanup, no commit, no exception handler runs). The restarted run
re-sends an interrupted message with the same Message-ID and records an alert; the server sees the
message once or, when the kill came between its 250 and our commit, twice (at-least-once).
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store.alerts import open_alerts
from store.engine import read_session
from store.outbox import outbox_messages
from tests.digest_support import SECRET, SECRET_ENV, seed, write_config
from tests.smtp_support import LoopbackController, Recorder

ROOT = Path(__file__).resolve().parent.parent
FIRST = "2026-11-23T06:00:00+01:00"
SOON = "2026-11-23T06:01:00+01:00"  # the interrupted claim still holds (send_lease 600 s)
LATER = "2026-11-23T07:00:00+01:00"  # the claim has run out: the message counts as interrupted


def run_cli(config: Path, now: str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDWATCH_")}
    env[SECRET_ENV] = SECRET.decode()
    if crash_at:
        env["FUNDWATCH_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, str(ROOT / "scheduler.py"), "--config", str(config)]
        + ["digest", "--profile", "kultur-och-fritid", "--now", now],
        cwd=config.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "deliveries", "alerts"),
    [("after_claim", 1, 1), ("after_smtp_250", 2, 1), ("after_commit", 1, 0)],
)
def test_a_kill_during_delivery_resends_with_the_same_message_id_and_raises_an_alert(
    engine, tmp_path, point, deliveries, alerts
):
    recorder = Recorder()
    server = LoopbackController(recorder)
    server.start()
    try:
        seed(engine)
        url = engine.url.render_as_string(hide_password=False)
        smtp = {"mode": "smtp", "host": "127.0.0.1", "port": server.port, "security": "none", "timeout": 10.0}
        config = write_config(tmp_path, url, email=smtp)

        crashed = run_cli(config, FIRST, crash_at=point)

        assert crashed.returncode == -signal.SIGKILL, crashed.stderr
        expected_state = "sent" if point == "after_commit" else "sending"
        with read_session(engine) as session:
            [row] = outbox_messages(session)
        assert row.state == expected_state
        stored_id = row.message_id
        before = len(recorder.messages)
        assert before == (0 if point == "after_claim" else 1)

        soon = run_cli(config, SOON)
        assert soon.returncode == 0, soon.stderr
        assert len(recorder.messages) == before  # a live claim is never taken over

        again = run_cli(config, LATER)

        assert again.returncode == 0, again.stderr
        assert len(recorder.messages) == deliveries
        ids = {email.message_from_bytes(m.data, policy=email.policy.default)["Message-ID"] for m in recorder.messages}
        assert ids == {stored_id}
        with read_session(engine) as session:
            [row] = outbox_messages(session)
            recovered = open_alerts(session, kind="delivery_recovered")
        assert row.state == "sent"
        assert len(recovered) == alerts
        assert all(alert.subject == stored_id for alert in recovered)
    finally:
        server.stop()
