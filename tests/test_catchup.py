"""Catch-up after downtime from the ledger (RELIABILITY.md S3, S4) and the autumn DST hour (S5), on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from alerts.catchup import SKIPPED_KIND, reconcile
from alerts.jobs import send_due_digests, send_overview
from store.alerts import open_alerts
from store.digest_tables import Digest, OutboxMessage
from store.engine import read_session
from tests.digest_support import SECRET, SECRET_ENV, STOCKHOLM, seed, settings_for

PROFILES_WITH_MAIL = {"serviceforvaltningen", "kultur-och-fritid", "kalmar-vatten"}


def ledger(engine) -> list[tuple[str, str]]:
    with read_session(engine) as s:
        return sorted((d.profile_id, d.week) for d in s.exec(select(Digest)))


def outbox_count(engine) -> int:
    with read_session(engine) as s:
        return len(list(s.exec(select(OutboxMessage))))


def test_s3_down_monday_morning_sends_exactly_one_digest_per_profile_and_a_restart_sends_none(
    tmp_path, engine, db_url, monkeypatch
):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    settings = settings_for(tmp_path, db_url)
    seed(engine, now=datetime(2026, 11, 23, 5, 0, tzinfo=STOCKHOLM))
    # down from Monday 06:00 to 11:00: the 07:00 digest never ran; the restart reconciles
    restart = datetime(2026, 11, 23, 11, 0, tzinfo=STOCKHOLM)
    result = reconcile(settings, engine, restart)
    assert result.due_week == "2026-W48"
    weeks = ledger(engine)
    assert {p for p, w in weeks if w == "2026-W48"} >= PROFILES_WITH_MAIL
    assert len(weeks) == len(set(weeks))
    sent = outbox_count(engine)
    assert sent > 0
    # restart again (and the hourly run): nothing more
    reconcile(settings, engine, restart + timedelta(minutes=5))
    reconcile(settings, engine, restart + timedelta(hours=1))
    assert ledger(engine) == weeks
    assert outbox_count(engine) == sent


def test_s4_nine_days_down_does_not_send_the_old_week_and_raises_one_alert(tmp_path, engine, db_url, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    settings = settings_for(tmp_path, db_url)
    seed(engine, now=datetime(2026, 11, 9, 5, 0, tzinfo=STOCKHOLM))
    # running normally on Monday of week 46
    send_due_digests(settings, engine, datetime(2026, 11, 9, 7, 0, tzinfo=STOCKHOLM))
    send_overview(settings, engine, datetime(2026, 11, 9, 7, 15, tzinfo=STOCKHOLM))
    assert {w for _, w in ledger(engine)} == {"2026-W46"}
    # down from Saturday 14 November to Tuesday 24 November (week 47's Monday missed, week 48's within the cut-off)
    restart = datetime(2026, 11, 24, 9, 0, tzinfo=STOCKHOLM)
    result = reconcile(settings, engine, restart)
    weeks = {w for _, w in ledger(engine)}
    assert "2026-W47" not in weeks, "a week older than the cut-off was sent automatically"
    assert "2026-W48" in weeks
    assert result.skipped_weeks == ["2026-W47 (digest)", "2026-W47 (overview)"]
    reconcile(settings, engine, restart + timedelta(hours=1))  # the hourly run does not repeat the alert
    with read_session(engine) as s:
        alerts = open_alerts(s, kind=SKIPPED_KIND)
    assert len(alerts) == 1
    assert "2026-W47" in alerts[0].subject


def test_a_fresh_installation_reports_no_skipped_weeks(tmp_path, engine, db_url, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    settings = settings_for(tmp_path, db_url)
    seed(engine, now=datetime(2026, 11, 26, 5, 0, tzinfo=STOCKHOLM))
    result = reconcile(settings, engine, datetime(2026, 11, 26, 12, 0, tzinfo=STOCKHOLM))  # Thursday: past cut-off
    assert result.skipped_weeks == []
    assert ledger(engine) == []


def test_s5_the_autumn_double_hour_does_not_double_a_digest(tmp_path, engine, db_url, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    settings = settings_for(tmp_path, db_url)
    seed(engine, now=datetime(2026, 10, 24, 5, 0, tzinfo=STOCKHOLM))
    # a digest job placed at 02:30 fires twice on 25 October 2026 (Sunday, week 43): 02:30+02:00 and 02:30+01:00
    first = datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=STOCKHOLM)
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=STOCKHOLM)
    assert second - first == timedelta(hours=1) or second.utcoffset() != first.utcoffset()
    send_due_digests(settings, engine, first)
    count = outbox_count(engine)
    send_due_digests(settings, engine, second)
    weeks = ledger(engine)
    assert len(weeks) == len(set(weeks))
    assert outbox_count(engine) == count
