"""Deadline reminders: the 14/3-day windows (pure), and end to end through the delivery ledger and a real SMTP
server on loopback (aiosmtpd), exactly once per window, on SQLite and PostgreSQL; the CLI's dry run."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlmodel import select

from alerts.reminder_jobs import send_due_reminders
from alerts.reminders import due_reminders, reminder_view, render_reminder
from scheduler import main
from store.digests import unsubscribe
from store.engine import read_session, write_session
from store.followup import save_followup
from store.models import Call
from store.models_followup import Reminder
from store.outbox import outbox_messages
from tests.digest_support import SECRET, SECRET_ENV, STOCKHOLM, seed_calls, settings_for, write_config
from tests.smtp_support import LoopbackController, Recorder

#: the deadline of the fixture call "2026-lokala-satsningar" (2027-03-31, end of day in Sweden)
CALL = "2026-lokala-satsningar"


def at(day: date, hour: int = 6) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


def call_with(*deadlines: str):
    return SimpleNamespace(deadlines=list(deadlines), deadline_at=None)


# --- pure windows ----------------------------------------------------------------------------------------------

DEADLINE = "2027-03-31T23:59:00+02:00"
D = datetime.fromisoformat(DEADLINE).astimezone(UTC)


def test_nothing_is_due_before_the_14_day_window():
    assert due_reminders(1, call_with(DEADLINE), at(date(2027, 3, 16)), set()) == []


def test_the_14_day_reminder_is_due_on_its_day_and_after_a_missed_day():
    on_day = due_reminders(1, call_with(DEADLINE), at(date(2027, 3, 17)), set())
    assert [(d.deadline, d.days_before, d.days_left) for d in on_day] == [(D, 14, 14)]
    # the worker was down on the 17th: the next run sends it, with the days really left
    late = due_reminders(1, call_with(DEADLINE), at(date(2027, 3, 18)), set())
    assert [(d.days_before, d.days_left) for d in late] == [(14, 13)]
    # once recorded it is not due again
    assert due_reminders(1, call_with(DEADLINE), at(date(2027, 3, 18)), {(1, D, 14)}) == []


def test_the_14_day_reminder_never_follows_the_3_day_one():
    # nothing was sent until three days before: only the 3-day reminder goes
    assert [d.days_before for d in due_reminders(1, call_with(DEADLINE), at(date(2027, 3, 29)), set())] == [3]
    assert due_reminders(1, call_with(DEADLINE), at(date(2027, 3, 30)), {(1, D, 3)}) == []
    # on the deadline day itself the 3-day window still holds; after it, nothing
    assert [d.days_left for d in due_reminders(1, call_with(DEADLINE), at(date(2027, 3, 31)), set())] == [0]
    assert due_reminders(1, call_with(DEADLINE), at(date(2027, 4, 1)), set()) == []


def test_a_closed_call_gets_no_reminder():
    closed = SimpleNamespace(deadlines=[DEADLINE], deadline_at=None, status="closed")
    assert due_reminders(1, closed, at(date(2027, 3, 29)), set()) == []


def test_each_remaining_deadline_has_its_own_windows():
    call = call_with("2027-01-10T14:00:00+01:00", "2027-01-30T14:00:00+01:00", "2026-12-01T14:00:00+01:00")
    due = due_reminders(7, call, at(date(2027, 1, 8)), set())
    # 2027-01-10 is 2 days away (3-day window); 2027-01-30 is 22 days away (no window yet); 2026-12-01 has passed
    assert [(d.deadline.date(), d.days_before, d.days_left) for d in due] == [(date(2027, 1, 10), 3, 2)]
    assert [(d.deadline.date(), d.days_before) for d in due_reminders(7, call, at(date(2027, 1, 16)), set())] == [
        (date(2027, 1, 30), 14)
    ]


def test_the_reminder_text_names_the_call_funder_deadline_days_left_and_links():
    followup = SimpleNamespace(status="intresserad", contact_name="Anna <Andersson>")
    call = SimpleNamespace(
        title="Stöd till <b>energi</b>",
        funder="Energimyndigheten",
        programme="Lokalt arbete",
        url="javascript:alert(1)",
        deadlines=[DEADLINE],
        deadline_at=None,
    )
    due = due_reminders(3, call, at(date(2027, 3, 18)), set())[0]
    view = reminder_view(
        followup, call, due, profile_name="Serviceförvaltningen", call_url="https://f.test/calls/5",
        status_label="Intresserad",
    )  # fmt: skip
    rendered = render_reminder(view)
    assert rendered.subject == "Påminnelse: deadline om 13 dagar – Stöd till <b>energi</b>"
    for part in (rendered.text, rendered.html):
        assert "Energimyndigheten" in part and "31 mars 2027" in part and "13 dagar kvar" in part
        assert "https://f.test/calls/5#uppfoljning" in part and "Serviceförvaltningen" in part
        assert "javascript:" not in part
    assert "Stöd till <b>energi</b>" in rendered.text and "Hej Anna <Andersson>!" in rendered.text
    assert "Stöd till &lt;b&gt;energi&lt;/b&gt;" in rendered.html and "<b>energi" not in rendered.html
    assert '<html lang="sv">' in rendered.html


# --- end to end through the ledger and SMTP --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())


@pytest.fixture
def smtp():
    recorder = Recorder()
    controller = LoopbackController(recorder)
    controller.start()
    yield controller, recorder
    controller.stop()


def setup(engine, tmp_path, port, **followup):
    ids = seed_calls(engine)
    settings = settings_for(
        tmp_path,
        engine.url.render_as_string(hide_password=False),
        email={"mode": "smtp", "host": "127.0.0.1", "port": port, "security": "none", "timeout": 5.0},
    )
    values = {"status": "intresserad", **followup}
    with write_session(engine) as db:
        record, _ = save_followup(db, "serviceforvaltningen", ids[CALL], values, actor="anna", today=date(2027, 3, 1))
    return settings, record.id


def received(recorder):
    return [(m.rcpt_tos, email.message_from_bytes(m.data, policy=email.policy.default)) for m in recorder.messages]


def test_reminders_go_through_smtp_once_per_window_and_stop_when_submitted(engine, tmp_path, smtp):
    controller, recorder = smtp
    settings, followup_id = setup(engine, tmp_path, controller.port, contact_email="anna@kalmar.example")

    assert send_due_reminders(settings, engine, at(date(2027, 3, 10))).queued == 0
    report = send_due_reminders(settings, engine, at(date(2027, 3, 17)))
    assert report.queued == 1 and report.delivery.sent == 1
    [(to, message)] = received(recorder)
    assert to == ["anna@kalmar.example"]
    assert message["Subject"].startswith("Påminnelse: deadline om 14 dagar")
    body = message.get_body(("plain",)).get_content()
    assert "Stöd till lokala och regionala energi- och klimatsatsningar" in body and "31 mars 2027" in body
    assert message["Message-ID"].startswith(f"<reminder.{followup_id}.")

    # the same day again, and the next days: nothing more (the ledger row exists)
    for later in (at(date(2027, 3, 17), 9), at(date(2027, 3, 18)), at(date(2027, 3, 27))):
        assert send_due_reminders(settings, engine, later).queued == 0
    assert len(recorder.messages) == 1

    assert send_due_reminders(settings, engine, at(date(2027, 3, 28))).queued == 1
    assert send_due_reminders(settings, engine, at(date(2027, 3, 29))).queued == 0
    assert [m["Subject"].split(" – ")[0] for _, m in received(recorder)] == [
        "Påminnelse: deadline om 14 dagar",
        "Påminnelse: deadline om 3 dagar",
    ]
    with read_session(engine) as db:
        rows = outbox_messages(db)
        assert [(r.state, r.digest_id is None, r.reminder_id is not None) for r in rows] == [("sent", True, True)] * 2
        assert sorted(r.days_before for r in db.exec(select(Reminder)).all()) == [3, 14]

    # once submitted, no more reminders (a later deadline would not get one either)
    with write_session(engine) as db:
        save_followup(db, "serviceforvaltningen", call_id(db), {"status": "inskickad"}, actor="anna")
    assert send_due_reminders(settings, engine, at(date(2027, 3, 31))).queued == 0


def call_id(db) -> int:
    return db.exec(select(Call.id).where(Call.external_id == CALL)).one()


def test_a_missed_window_is_sent_late_and_a_temporary_smtp_failure_is_retried_not_duplicated(engine, tmp_path, smtp):
    controller, recorder = smtp
    settings, _ = setup(engine, tmp_path, controller.port, contact_email="anna@kalmar.example")
    recorder.data_replies = ["451 4.3.0 try again later"]
    report = send_due_reminders(settings, engine, at(date(2027, 3, 19)))  # two days after the 14-day mark
    assert report.queued == 1 and report.delivery.retried == 1 and recorder.messages == []
    # the next run queues nothing new but delivers the waiting message once its retry time has come
    report = send_due_reminders(settings, engine, at(date(2027, 3, 19), 7))
    assert report.queued == 0 and report.delivery.sent == 1
    [(_, message)] = received(recorder)
    assert "om 12 dagar" in message["Subject"]


def test_without_a_contact_email_the_administrations_recipients_get_it_except_the_unsubscribed(engine, tmp_path, smtp):
    controller, recorder = smtp
    settings, _ = setup(engine, tmp_path, controller.port)
    with write_session(engine) as db:
        unsubscribe(db, "serviceforvaltningen", "ekonomi.service@kalmar.example", at(date(2027, 3, 1)), via="cli")
    report = send_due_reminders(settings, engine, at(date(2027, 3, 29)))
    assert report.queued == 1 and report.delivery.sent == 1
    assert [to for to, _ in received(recorder)] == [["service@kalmar.example"]]


def test_cli_dry_run_lists_due_reminders_and_records_nothing(tmp_path, monkeypatch, sqlite_url, capsys):
    from store.engine import make_engine
    from store.migrate import upgrade

    engine = make_engine(sqlite_url)
    upgrade(engine)
    ids = seed_calls(engine)
    with write_session(engine) as db:
        save_followup(
            db, "kalmar-vatten", ids[CALL], {"status": "ansoker", "contact_email": "bo@kalmar.example"}, actor="bo"
        )
    config = write_config(tmp_path, sqlite_url)
    assert main(["--config", str(config), "reminders", "--dry-run", "--now", "2027-03-20T06:00"]) == 0
    out = capsys.readouterr().out
    assert "dry run: kalmar-vatten" in out and "(14 days) to bo@kalmar.example" in out
    with read_session(engine) as db:
        assert db.exec(select(Reminder)).all() == [] and outbox_messages(db) == []
    assert main(["--config", str(config), "reminders", "--now", "2027-03-20T06:00"]) == 0
    assert "1 reminder(s) queued" in capsys.readouterr().out
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    engine.dispose()
