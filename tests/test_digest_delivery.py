"""Delivery through real SMTP servers on loopback (aiosmtpd): content, headers, encoding, retries, TLS,
timeouts (RELIABILITY E3–E6), and the outbox folder."""

from __future__ import annotations

import email
import email.policy
import ssl
import time
from datetime import timedelta

import pytest

from alerts.delivery import OutboxFolder, SmtpConfig, SmtpTransport, deliver_pending
from alerts.jobs import queue_due_digests
from alerts.message import build_message
from alerts.tokens import verify_unsubscribe_token
from store.alerts import open_alerts
from store.digests import digests_for_profile
from store.engine import read_session
from store.outbox import outbox_messages
from tests.digest_support import NOW, SECRET, SECRET_ENV, seed, settings_for
from tests.smtp_support import LoopbackController, Recorder, SilentServer, closed_port, make_certificate

PASSWORD_ENV = "FUNDWATCH_TEST_SMTP_PASSWORD"


@pytest.fixture(autouse=True)
def _secrets(monkeypatch):
    monkeypatch.setenv(SECRET_ENV, SECRET.decode())
    monkeypatch.setenv(PASSWORD_ENV, "hemligt-lösen")


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def smtp(recorder):
    controller = LoopbackController(recorder)
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def certificate(tmp_path):
    return make_certificate(tmp_path)


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def smtp_settings(tmp_path, db_url, port, **email_settings):
    values = {"mode": "smtp", "host": "127.0.0.1", "port": port, "security": "none", "timeout": 5.0}
    values.update(email_settings)
    return settings_for(tmp_path, db_url, email=values)


def queue_one(settings, engine, profile="kultur-och-fritid"):
    seed(engine)
    report = queue_due_digests(settings, engine, NOW, profile_ids=[profile])
    assert report.outcomes[profile].startswith("queued")


def rows(engine):
    with read_session(engine) as session:
        return outbox_messages(session)


def test_digest_goes_through_a_real_smtp_server_with_its_stored_message_id_and_headers(
    engine, tmp_path, smtp, recorder
):
    settings = smtp_settings(tmp_path, engine.url.render_as_string(hide_password=False), smtp.port)
    queue_one(settings, engine)

    report = deliver_pending(settings, engine, NOW)

    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [stored] = rows(engine)
    assert stored.state == "sent" and stored.attempts == 1 and stored.sent_at is not None
    [received] = recorder.messages
    assert received.mail_from == "fundwatch@kalmar.example"
    assert received.rcpt_tos == ["kultur@kalmar.example"]
    assert received.data == stored.message  # the stored bytes, unchanged
    received.data.decode("ascii")  # 7-bit clean
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert message["Message-ID"] == stored.message_id
    assert message["Subject"] == "Nya utlysningar för Kultur- och fritidsförvaltningen – vecka 48 (1 träff)"
    assert message["To"] == "kultur@kalmar.example"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip("<>")
    assert url.startswith("https://fundwatch.kalmar.example/unsubscribe/")
    bound = verify_unsubscribe_token(SECRET, url.rsplit("/", 1)[1])
    assert (bound.profile_id, bound.recipient) == ("kultur-och-fritid", "kultur@kalmar.example")
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_payload()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    for part in (plain, html):
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        assert part.get_content_charset() == "utf-8"
    assert "Skapande skola 2027" in plain.get_content()
    assert "Deadline: 1 december 2026 (8 dagar kvar)" in plain.get_content()
    assert "Skapande skola 2027</a>" in html.get_content()
    with read_session(engine) as session:
        [past] = digests_for_profile(session, "kultur-och-fritid")
    assert past.sent and past.digest.week == "2026-W48"


def test_swedish_text_survives_the_round_trip_through_smtp_exactly(tmp_path, smtp, recorder):
    subject = "Nya utlysningar för Förvaltning åäöÅÄÖ–€ – vecka 48 (5 träffar)"
    text = "Hej åäöÅÄÖ–€!\n" + "Lång rad med åäö " * 20 + "\nSista raden.\n"
    html = "<p>Hej åäöÅÄÖ–€!</p>\n<p>" + "Lång rad med åäö " * 20 + "</p>\n"
    data = build_message(
        sender="fundwatch@kalmar.example",
        recipient="mottagare@kalmar.example",
        subject=subject,
        text=text,
        html=html,
        message_id="<digest.test.1@kalmar.example>",
        date=NOW,
    )
    transport = SmtpTransport(SmtpConfig("127.0.0.1", smtp.port, "none", "", None, "", 5.0))
    transport.send("fundwatch@kalmar.example", "mottagare@kalmar.example", data, "<digest.test.1@kalmar.example>")

    [received] = recorder.messages
    assert all(len(line) <= 78 for line in received.data.split(b"\r\n")[14:])  # body lines (QP) stay short
    message = email.message_from_bytes(received.data, policy=email.policy.default)
    assert message["Subject"] == subject
    assert message["Message-ID"] == "<digest.test.1@kalmar.example>"
    # line ends travel as CRLF (RFC 5322); the characters are exactly the inputs
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n") == html


def test_a_4xx_reply_is_retried_with_backoff_and_then_delivered(engine, tmp_path, smtp, recorder):
    settings = smtp_settings(tmp_path, engine.url.render_as_string(hide_password=False), smtp.port)
    queue_one(settings, engine)
    recorder.data_replies.append("451 4.3.0 Tillfälligt fel, försök igen")

    first = deliver_pending(settings, engine, NOW)

    assert (first.sent, first.retried, first.failed) == (0, 1, 0)
    [row] = rows(engine)
    assert row.state == "pending" and row.attempts == 1
    assert "451" in row.last_error
    assert NOW + timedelta(seconds=60) <= row.next_attempt_at < NOW + timedelta(seconds=70)
    assert deliver_pending(settings, engine, NOW + timedelta(seconds=30)).sent == 0  # not due yet
    assert recorder.messages == []

    later = deliver_pending(settings, engine, NOW + timedelta(seconds=75))

    assert later.sent == 1
    [row] = rows(engine)
    assert row.state == "sent" and row.attempts == 2
    assert len(recorder.messages) == 1


def test_a_5xx_reply_fails_at_once_with_an_alert_and_is_never_retried(engine, tmp_path, smtp, recorder):
    settings = smtp_settings(tmp_path, engine.url.render_as_string(hide_password=False), smtp.port)
    queue_one(settings, engine)
    recorder.rcpt_reply = "550 5.1.1 Mottagaren finns inte"

    report = deliver_pending(settings, engine, NOW)

    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    [row] = rows(engine)
    assert row.state == "failed" and row.attempts == 1 and "550" in row.last_error
    recorder.rcpt_reply = None
    assert deliver_pending(settings, engine, NOW + timedelta(days=2)).sent == 0
    assert rows(engine)[0].attempts == 1
    with read_session(engine) as session:
        [alert] = open_alerts(session, kind="delivery_failed")
    assert alert.subject == row.message_id and "kultur@kalmar.example" in alert.message


def test_connection_refused_is_retried_and_delivered_once_the_server_is_up(engine, tmp_path, smtp, recorder):
    settings = smtp_settings(tmp_path, engine.url.render_as_string(hide_password=False), closed_port())
    queue_one(settings, engine)

    report = deliver_pending(settings, engine, NOW)

    assert (report.sent, report.retried) == (0, 1)
    assert "refused" in rows(engine)[0].last_error.lower()
    settings.email.port = smtp.port
    assert deliver_pending(settings, engine, NOW + timedelta(minutes=5)).sent == 1
    assert len(recorder.messages) == 1


def test_temporary_failures_give_up_after_max_attempts(engine, tmp_path, smtp, recorder):
    url = engine.url.render_as_string(hide_password=False)
    settings = smtp_settings(tmp_path, url, smtp.port, max_attempts=2, retry_backoff=10.0)
    queue_one(settings, engine)
    recorder.data_replies += ["421 4.7.0 Prova senare", "452 4.3.1 Fullt"]

    deliver_pending(settings, engine, NOW)
    second = deliver_pending(settings, engine, NOW + timedelta(minutes=1))

    assert second.failed == 1
    [row] = rows(engine)
    assert row.state == "failed" and row.attempts == 2
    assert "gave up after 2 attempts" in row.last_error


def test_an_unexpected_error_in_the_transport_never_escapes(engine, tmp_path):
    settings = settings_for(tmp_path, engine.url.render_as_string(hide_password=False))
    queue_one(settings, engine)

    class Broken:
        def send(self, *args):
            raise RuntimeError("boom")

    report = deliver_pending(settings, engine, NOW, transport=Broken())

    assert report.retried == 1
    [row] = rows(engine)
    assert row.state == "pending" and "boom" in row.last_error


def test_a_self_signed_server_is_refused_unless_its_ca_is_configured(engine, tmp_path, recorder, certificate):
    controller = LoopbackController(
        recorder,
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=recorder.authenticate,
    )
    controller.start()
    try:
        url = engine.url.render_as_string(hide_password=False)
        settings = smtp_settings(
            tmp_path, url, controller.port, security="starttls", username="fundwatch", password_env=PASSWORD_ENV
        )
        queue_one(settings, engine)

        refused = deliver_pending(settings, engine, NOW)

        assert (refused.sent, refused.retried) == (0, 1)
        assert "certificate" in rows(engine)[0].last_error
        assert recorder.messages == [] and recorder.logins == []

        settings.email.ca_file = str(certificate[0])
        accepted = deliver_pending(settings, engine, NOW + timedelta(minutes=5))

        assert accepted.sent == 1
        assert recorder.logins == [("fundwatch", True)]  # AUTH only after STARTTLS
        assert recorder.messages[0].tls
    finally:
        controller.stop()


def test_auth_is_never_sent_when_the_server_offers_no_starttls(engine, tmp_path, recorder):
    controller = LoopbackController(recorder, authenticator=recorder.authenticate, auth_require_tls=False)
    controller.start()
    try:
        url = engine.url.render_as_string(hide_password=False)
        settings = smtp_settings(
            tmp_path, url, controller.port, security="starttls", username="fundwatch", password_env=PASSWORD_ENV
        )
        queue_one(settings, engine)

        report = deliver_pending(settings, engine, NOW)

        assert report.retried == 1
        assert "does not offer STARTTLS" in rows(engine)[0].last_error
        settings.email.security = "none"
        deliver_pending(settings, engine, NOW + timedelta(minutes=5))
        assert "refusing to send the password unencrypted" in rows(engine)[0].last_error
        assert recorder.logins == [] and recorder.messages == []
    finally:
        controller.stop()


def test_implicit_tls_with_the_configured_ca_delivers(engine, tmp_path, recorder, certificate):
    controller = LoopbackController(recorder, ssl_context=server_context(certificate))
    controller.start()
    try:
        url = engine.url.render_as_string(hide_password=False)
        settings = smtp_settings(tmp_path, url, controller.port, security="ssl", ca_file=str(certificate[0]))
        queue_one(settings, engine)

        assert deliver_pending(settings, engine, NOW).sent == 1
        assert recorder.messages[0].tls
    finally:
        controller.stop()


def test_a_server_that_accepts_and_stays_silent_fails_within_the_timeout(engine, tmp_path):
    silent = SilentServer()
    try:
        url = engine.url.render_as_string(hide_password=False)
        settings = smtp_settings(tmp_path, url, silent.port, timeout=1.0)
        queue_one(settings, engine)

        started = time.monotonic()
        report = deliver_pending(settings, engine, NOW)
        elapsed = time.monotonic() - started

        assert report.retried == 1
        assert elapsed < 1.0 + 1.0, f"took {elapsed:.1f} s"
        assert "timed out" in rows(engine)[0].last_error
    finally:
        silent.close()


def test_outbox_mode_writes_the_stored_message_as_an_eml_file(engine, tmp_path):
    settings = settings_for(tmp_path, engine.url.render_as_string(hide_password=False))
    queue_one(settings, engine, profile="serviceforvaltningen")

    report = deliver_pending(settings, engine, NOW)

    assert report.sent == 2
    folder = OutboxFolder(tmp_path / "outbox")
    for row in rows(engine):
        assert row.state == "sent"
        assert folder.path_for(row.message_id).read_bytes() == row.message
    assert sorted(p.suffix for p in (tmp_path / "outbox").iterdir()) == [".eml", ".eml"]
