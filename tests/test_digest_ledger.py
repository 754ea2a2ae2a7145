"""The digest ledger on SQLite and PostgreSQL: one digest per profile and week (E1), earlier digests,
changes, feedback, unsubscribes, empty weeks, the overview and the history the web UI shows."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from alerts.delivery import deliver_pending
from alerts.jobs import queue_due_digests, queue_overview
from settings import SourceSettings
from store.calls import upsert_calls
from store.digest_tables import Digest, DigestItem
from store.digests import digests_for_profile, is_unsubscribed, resubscribe, unsubscribe
from store.engine import read_session, write_session
from store.interchange import parse_jsonl
from store.matches import set_feedback
from store.models import ScrapeRun
from store.outbox import outbox_messages
from tests.digest_support import FIXTURES, NOW, SECRET, SECRET_ENV, WEEK, seed, settings_for, write_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def outbox(engine):
    with read_session(engine) as session:
        return outbox_messages(session)


def items(engine, profile_id: str, week: str) -> dict[str, list[int]]:
    with read_session(engine) as session:
        digest = session.exec(select(Digest).where(Digest.profile_id == profile_id, Digest.week == week)).one()
        rows = session.exec(select(DigestItem).where(DigestItem.digest_id == digest.id).order_by(DigestItem.position))
        out: dict[str, list[int]] = {}
        for row in rows:
            out.setdefault(row.section, []).append(row.call_id)
        return out


def test_running_the_digest_job_three_times_queues_one_message_per_profile_and_recipient(engine, tmp_path):
    seed(engine)
    settings = settings_for(tmp_path, url_of(engine))

    reports = [queue_due_digests(settings, engine, NOW + timedelta(hours=i)) for i in range(3)]

    assert reports[0].outcomes == {
        "kalmar-vatten": "queued 1",
        "kultur-och-fritid": "queued 1",
        "serviceforvaltningen": "queued 2",
    }
    assert all(set(r.outcomes.values()) == {"already"} for r in reports[1:])
    pairs = sorted((m.digest_id, m.recipient) for m in outbox(engine))
    assert len(pairs) == 4 == len(set(pairs))
    with read_session(engine) as session:
        assert len(session.exec(select(Digest)).all()) == 3


def test_the_database_refuses_a_second_digest_for_the_same_profile_and_week(engine):
    with write_session(engine) as session:
        session.add(Digest(profile_id="kalmar-vatten", week=WEEK, created_at=NOW))
    with pytest.raises(IntegrityError):
        with write_session(engine) as session:
            session.add(Digest(profile_id="kalmar-vatten", week=WEEK, created_at=NOW + timedelta(minutes=1)))


def test_two_processes_queueing_the_same_week_produce_one_message_each(engine, tmp_path):
    seed(engine)
    config = write_config(tmp_path, url_of(engine))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDWATCH_")}
    env[SECRET_ENV] = SECRET.decode()
    command = [sys.executable, str(ROOT / "scheduler.py"), "--config", str(config), "digest", "--now"]
    processes = [
        subprocess.Popen(
            command + ["2026-11-23T06:00:00+01:00"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in processes]

    assert all(code == 0 for _, _, code in results), results
    messages = outbox(engine)
    assert len(messages) == 5  # 4 administration messages + KLK's overview
    assert len({(m.digest_id, m.recipient) for m in messages}) == 5
    assert all(m.state == "sent" for m in messages)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 5
    queued = "".join(out for out, _, _ in results).count("queued")
    assert queued == 4  # each profile and the overview queued by exactly one of the two


def test_the_next_week_lists_only_new_matches_and_reminds_of_earlier_calls_closing_soon(engine, tmp_path):
    ids = seed(engine)
    settings = settings_for(tmp_path, url_of(engine))
    queue_due_digests(settings, engine, NOW, profile_ids=["serviceforvaltningen"])
    first = items(engine, "serviceforvaltningen", WEEK)
    assert first == {
        "new": [
            ids["2026-04512"],
            ids["LIFE-2027-CET-LOCAL"],
            ids["2026-lokala-satsningar"],
            ids["matsvinn-offentliga-maltider-2027"],
            ids["klimatklivet-2026-4"],
        ]
    }  # best first, at most max_matches = 5; the closed call and the one below min_score left out

    next_week = NOW + timedelta(days=7)
    queue_due_digests(settings, engine, next_week, profile_ids=["serviceforvaltningen"])

    second = items(engine, "serviceforvaltningen", "2026-W49")
    assert second["new"] == [ids["2026-00731"]]  # the one that did not fit last week
    # Vinnova closes 8 December (8 days) and Klimatklivet 3 December (3 days): both reminded, soonest first
    assert second["closing"] == [ids["klimatklivet-2026-4"], ids["2026-04512"]]


def test_not_relevant_calls_never_appear_again(engine, tmp_path):
    ids = seed(engine)
    settings = settings_for(tmp_path, url_of(engine))
    queue_due_digests(settings, engine, NOW, profile_ids=["serviceforvaltningen"])
    with write_session(engine) as session:
        set_feedback(session, "serviceforvaltningen", ids["2026-04512"], "not_relevant", now=NOW)
        set_feedback(session, "serviceforvaltningen", ids["2026-00731"], "not_relevant", now=NOW)

    queue_due_digests(settings, engine, NOW + timedelta(days=7), profile_ids=["serviceforvaltningen"])

    second = items(engine, "serviceforvaltningen", "2026-W49")
    assert second == {"closing": [ids["klimatklivet-2026-4"]]}


def test_a_changed_deadline_of_an_earlier_call_is_reported_under_andrat(engine, tmp_path):
    ids = seed(engine)
    settings = settings_for(tmp_path, url_of(engine))
    queue_due_digests(settings, engine, NOW, profile_ids=["kalmar-vatten"])
    with open(FIXTURES / "calls.jsonl", "rb") as stream:
        records = {r.external_id: r for _, r in parse_jsonl(stream).records}
    moved = records["LIFE-2027-CET-LOCAL"]
    moved.deadlines = moved.deadlines[:1] + [moved.deadlines[1] + timedelta(days=14)]
    with write_session(engine) as session:
        upsert_calls(session, [moved], now=NOW + timedelta(days=3))

    report = queue_due_digests(settings, engine, NOW + timedelta(days=7), profile_ids=["kalmar-vatten"])

    # nothing new and nothing closing: nothing is sent by default, the change waits for the next mail
    assert report.outcomes == {"kalmar-vatten": "empty"}
    settings.digest.send_empty = True
    report = queue_due_digests(settings, engine, NOW + timedelta(days=14), profile_ids=["kalmar-vatten"])
    assert report.outcomes == {"kalmar-vatten": "queued 1"}
    assert items(engine, "kalmar-vatten", "2026-W50") == {"changed": [ids["LIFE-2027-CET-LOCAL"]]}
    message = [m for m in outbox(engine) if "w50" in m.message_id][0]
    text = email.message_from_bytes(message.message, policy=email.policy.default).get_body(("plain",)).get_content()
    assert "Inga nya träffar den här veckan" in text
    assert "ÄNDRAT (1)" in text
    assert "Ändrat: Deadline: 23 september 2027 kl. 17:00 → 7 oktober 2027 kl. 17:00" in " ".join(text.split())


def test_an_unsubscribed_recipient_gets_nothing_and_can_subscribe_again(engine, tmp_path):
    seed(engine)
    settings = settings_for(tmp_path, url_of(engine))
    with write_session(engine) as session:
        assert unsubscribe(session, "serviceforvaltningen", " EKONOMI.service@Kalmar.example", NOW, via="link")
        assert not unsubscribe(session, "serviceforvaltningen", "ekonomi.service@kalmar.example", NOW)
    with read_session(engine) as session:
        assert is_unsubscribed(session, "serviceforvaltningen", "Ekonomi.Service@kalmar.example")
        assert not is_unsubscribed(session, "kultur-och-fritid", "Ekonomi.Service@kalmar.example")

    queue_due_digests(settings, engine, NOW, profile_ids=["serviceforvaltningen"])

    assert [m.recipient for m in outbox(engine)] == ["service@kalmar.example"]
    with write_session(engine) as session:
        assert resubscribe(session, "serviceforvaltningen", "ekonomi.service@kalmar.example")
    queue_due_digests(settings, engine, NOW + timedelta(days=7), profile_ids=["serviceforvaltningen"])
    week_49 = sorted(m.recipient for m in outbox(engine) if ".2026-w49." in m.message_id)
    assert week_49 == ["Ekonomi.Service@kalmar.example", "service@kalmar.example"]


def test_an_empty_week_sends_nothing_by_default_and_a_note_when_asked(engine, tmp_path):
    settings = settings_for(tmp_path, url_of(engine))

    assert queue_due_digests(settings, engine, NOW, profile_ids=["kalmar-vatten"]).outcomes == {
        "kalmar-vatten": "empty"
    }
    assert outbox(engine) == []
    settings.digest.send_empty = True
    report = queue_due_digests(settings, engine, NOW + timedelta(days=7), profile_ids=["kalmar-vatten"])
    assert report.outcomes == {"kalmar-vatten": "queued 1"}
    [note] = outbox(engine)
    assert note.subject == "Utlysningar för Kalmar Vatten AB – vecka 49 (inga nya träffar)"


def test_the_overview_is_queued_once_a_week_for_klk(engine, tmp_path):
    ids = seed(engine)
    settings = settings_for(tmp_path, url_of(engine))

    first = queue_overview(settings, engine, NOW)
    again = queue_overview(settings, engine, NOW + timedelta(hours=2))

    assert first.outcomes == {"_overview": "queued 1"} and again.outcomes == {"_overview": "already"}
    [message] = outbox(engine)
    assert message.recipient == "klk@kalmar.example"
    assert message.subject == "Veckoöversikt för KLK – vecka 48 (8 träffar)"
    assert ids["2026-00731"] in items(engine, "_overview", WEEK)["overview"]


def test_the_overview_reports_the_configured_sources_that_fail(engine, tmp_path):
    seed(engine)
    settings = settings_for(tmp_path, url_of(engine))
    settings.sources = [SourceSettings(name="eu-ftp", kind="eu-ftp"), SourceSettings(name="vinnova", kind="vinnova")]
    with write_session(engine) as session:
        for source, outcome, error in (("eu-ftp", "ok", ""), ("vinnova", "error", "HTTP 503 Service Unavailable")):
            started = NOW - timedelta(hours=1)
            session.add(ScrapeRun(source=source, started_at=started, finished_at=started, outcome=outcome, error=error))

    report = queue_overview(settings, engine, NOW)

    assert report.outcomes == {"_overview": "queued 1"}
    [message] = outbox(engine)
    text = email.message_from_bytes(message.message, policy=email.policy.default).get_body(("plain",)).get_content()
    assert "vinnova" in text and "HTTP 503 Service Unavailable" in text
    assert "eu-ftp" not in text  # a healthy source is not reported


def test_past_digests_show_their_calls_and_delivery_state(engine, tmp_path):
    ids = seed(engine)
    settings = settings_for(tmp_path, url_of(engine))
    queue_due_digests(settings, engine, NOW, profile_ids=["kultur-och-fritid"])
    with read_session(engine) as session:
        [queued] = digests_for_profile(session, "kultur-och-fritid")
    assert not queued.sent and queued.deliveries == {"kultur@kalmar.example": "pending"}

    deliver_pending(settings, engine, NOW)

    with read_session(engine) as session:
        [past] = digests_for_profile(session, "kultur-och-fritid")
    assert past.sent
    assert [(section, call.id) for section, call in past.items] == [("new", ids["skapande-skola-2027"])]
    assert past.digest.subject == "Nya utlysningar för Kultur- och fritidsförvaltningen – vecka 48 (1 träff)"
