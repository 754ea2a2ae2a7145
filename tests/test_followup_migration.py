"""Migration 0008_followup: the follow-up tables and the outbox's reminder column go down and up again; going down
drops the reminder messages (the older outbox cannot hold them) and keeps the digests' messages."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import inspect, text

from alerts.jobs import queue_due_digests
from alerts.reminder_jobs import queue_due_reminders
from store.engine import write_session
from store.followup import save_followup
from store.migrate import current_revisions, downgrade, head_revisions, upgrade
from tests.digest_support import NOW, SECRET, SECRET_ENV, STOCKHOLM, seed, settings_for


def count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_down_below_0008_and_up_again_keeps_digest_messages_and_drops_reminders(engine, tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    ids = seed(engine)
    settings = settings_for(tmp_path, engine.url.render_as_string(hide_password=False))
    assert queue_due_digests(settings, engine, NOW, profile_ids=["kultur-och-fritid"]).outcomes
    with write_session(engine) as db:
        save_followup(
            db, "kalmar-vatten", ids["2026-lokala-satsningar"], {"status": "ansoker", "contact_email": "v@kalmar.example"},
            actor="test", today=date(2027, 3, 1),
        )  # fmt: skip
    assert queue_due_reminders(settings, engine, datetime(2027, 3, 20, 6, tzinfo=STOCKHOLM)).queued == 1
    assert count(engine, "SELECT count(*) FROM outbox WHERE reminder_id IS NOT NULL") == 1
    digest_messages = count(engine, "SELECT count(*) FROM outbox WHERE digest_id IS NOT NULL")
    assert digest_messages >= 1

    downgrade(engine, "0003_web_access")
    assert current_revisions(engine) == {"0003_web_access"}
    tables = set(inspect(engine).get_table_names())
    assert not {"followup", "reminder"} & tables
    assert "reminder_id" not in {c["name"] for c in inspect(engine).get_columns("outbox")}
    assert count(engine, "SELECT count(*) FROM outbox") == digest_messages

    upgrade(engine)
    assert current_revisions(engine) == head_revisions()
    assert {"followup", "reminder"} <= set(inspect(engine).get_table_names())
    assert count(engine, "SELECT count(*) FROM outbox WHERE digest_id IS NOT NULL") == digest_messages
