"""Delivering queued messages: to an SMTP server, or as .eml files in the outbox folder.

``deliver_pending`` walks the outbox: each message is claimed (``pending`` → ``sending``, committed),
handed to the transport, then marked ``sent`` (committed). Temporary failures (4xx replies, refused or
dropped connections, timeouts, TLS problems, a failed login) go back to ``pending`` with exponential
backoff until ``email.max_attempts``; permanent ones (5xx) are ``failed`` at once. No exception leaves
``deliver_pending`` for a delivery problem (E3). A message still ``sending`` after its claim ran out
was interrupted by a crash: it is re-sent with the same bytes and Message-ID and an alert is recorded
(at-least-once; the duplicate window is the moment between the server's 250 and the commit).

SMTP: the certificate is always verified (``ssl.create_default_context()`` plus ``email.ca_file``),
``email.timeout`` applies to the connection and every reply, and the password is never sent before
STARTTLS succeeded (nor at all with ``security = "none"``) (E5, E6).

Test hook: the environment variable ``FUNDWATCH_CRASH_AT`` (``after_claim``, ``after_smtp_250`` or
``after_commit``) makes this process kill itself with SIGKILL at that point, so the crash matrix (E2)
can be run with real process kills (see ``crashpoints``); never set it in production.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from crashpoints import crash_point
from errors import DeliveryError
from store.engine import write_session
from store.outbox import claim_due, mark_failed, mark_retry, mark_sent, recover_interrupted

log = logging.getLogger(__name__)

CRASH_POINTS = ("after_claim", "after_smtp_250", "after_commit")
MAX_BACKOFF = timedelta(hours=6)
#: SMTP replies that mean "your login is wrong": a configuration problem, retried so a fix lets the queue drain
_AUTH_CODES = {530, 534, 535, 538}


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None:
        """Deliver one message or raise DeliveryError (``permanent`` says whether a retry can help)."""


class OutboxFolder:
    """``email.mode = "outbox"``: each message becomes ``<folder>/<Message-ID>.eml`` (written atomically)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def path_for(self, message_id: str) -> Path:
        return self.folder / (re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>")) + ".eml")

    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None:
        target = self.path_for(message_id)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(f".tmp{os.getpid()}")
            temporary.write_bytes(message)
            os.replace(temporary, target)
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc.strerror or exc}") from exc


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str
    password: str | None
    ca_file: str
    timeout: float


class SmtpTransport:
    """``email.mode = "smtp"``: one connection per message, certificate verified, timeouts always."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.config.ca_file:
            try:
                context.load_verify_locations(cafile=self.config.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise DeliveryError(f"cannot load email.ca_file {self.config.ca_file}: {exc}") from exc
        return context

    def send(self, sender: str, recipient: str, message: bytes, message_id: str) -> None:
        cfg = self.config
        if cfg.username and cfg.security == "none":
            raise DeliveryError(
                'email.username is set but email.security is "none": refusing to send the password unencrypted'
            )
        if cfg.username and not cfg.password:
            raise DeliveryError("email.username is set but the password variable (email.password_env) is empty")
        try:
            self._send(sender, recipient, message)
        except DeliveryError:
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
            raise DeliveryError(f"recipient refused: {detail}", permanent=all(500 <= c < 600 for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            code = exc.smtp_code
            permanent = 500 <= code < 600 and code not in _AUTH_CODES
            raise DeliveryError(f"server replied {code} {_text(exc.smtp_error)}", permanent=permanent) from exc
        except ssl.SSLCertVerificationError as exc:
            raise DeliveryError(f"the server's certificate is not trusted: {exc.verify_message or exc}") from exc
        except TimeoutError as exc:
            raise DeliveryError(f"no answer from {cfg.host}:{cfg.port} within {cfg.timeout:g} s") from exc
        except OSError as exc:  # refused, reset, DNS, TLS, smtplib's own errors
            raise DeliveryError(f"cannot deliver via {cfg.host}:{cfg.port}: {exc}") from exc

    def _send(self, sender: str, recipient: str, message: bytes) -> None:
        cfg = self.config
        local_name = socket.gethostname() or "localhost"
        if cfg.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                cfg.host, cfg.port, local_hostname=local_name, timeout=cfg.timeout, context=self._context()
            )
        else:
            client = smtplib.SMTP(cfg.host, cfg.port, local_hostname=local_name, timeout=cfg.timeout)
        try:
            client.ehlo()
            if cfg.security == "starttls":
                if not client.has_extn("starttls"):
                    raise DeliveryError(
                        f"{cfg.host}:{cfg.port} does not offer STARTTLS; nothing sent (email.security = starttls)"
                    )
                client.starttls(context=self._context())
                client.ehlo()
            if cfg.username:
                _login(client, cfg.username, cfg.password or "")
            client.sendmail(sender, [recipient], message)
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; a non-ASCII password (smtplib only sends ASCII) goes as UTF-8 AUTH PLAIN (RFC 4616)."""
    if (username + password).isascii():
        client.login(username, password)
        return
    if "plain" not in client.esmtp_features.get("auth", "").lower().split():
        raise DeliveryError("the SMTP password has non-ASCII characters and the server offers no AUTH PLAIN")
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())[:300]


def make_transport(settings) -> Transport:
    """The transport ``email.mode`` asks for."""
    email = settings.email
    if email.mode == "outbox":
        return OutboxFolder(settings.path(email.outbox_dir))
    return SmtpTransport(
        SmtpConfig(
            host=email.host,
            port=email.port,
            security=email.security,
            username=email.username,
            password=settings.secret(email.password_env),
            ca_file=str(settings.path(email.ca_file)) if email.ca_file else "",
            timeout=email.timeout,
        )
    )


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retried} to retry, {self.failed} failed, {self.recovered} recovered"


def backoff(attempts: int, first: float) -> timedelta:
    """Wait before the next attempt after ``attempts`` attempts: first, 2×first, 4×first, ... at most 6 h."""
    return min(timedelta(seconds=first * (2 ** max(0, attempts - 1))), MAX_BACKOFF)


def deliver_pending(settings, engine, now: datetime, transport: Transport | None = None) -> DeliveryReport:
    """Send every due message once; never raises for a delivery problem (it is recorded on the row)."""
    transport = transport or make_transport(settings)
    email = settings.email
    lease = timedelta(seconds=email.send_lease)
    started = time.monotonic()
    report = DeliveryReport()

    def current() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    with write_session(engine) as session:
        recovered = recover_interrupted(session, now)
    for row in recovered:
        log.warning("message %s to %s was interrupted while sending; sending it again", row.message_id, row.recipient)
    report.recovered = len(recovered)

    while True:
        with write_session(engine) as session:
            row = claim_due(session, current(), lease)
            if row is None:
                break
            row_id, recipient, data, message_id, attempts = (
                row.id,
                row.recipient,
                row.message,
                row.message_id,
                row.attempts,
            )
        crash_point("after_claim")
        try:
            transport.send(email.from_address, recipient, data, message_id)
        except Exception as exc:  # noqa: BLE001  (E3: nothing escapes; the row records it)
            _record_failure(engine, email, row_id, recipient, message_id, attempts, exc, current(), report)
            continue
        crash_point("after_smtp_250")
        try:
            with write_session(engine) as session:
                mark_sent(session, row_id, current())
        except Exception:  # noqa: BLE001  (left in `sending`: recovered and re-sent later, with an alert)
            log.exception("message %s was delivered but could not be marked sent", message_id)
            continue
        crash_point("after_commit")
        report.sent += 1
        log.info("sent %s to %s", message_id, recipient)
    if report.sent or report.retried or report.failed or report.recovered:
        log.info("delivery: %s", report)
    return report


def _record_failure(engine, email, row_id, recipient, message_id, attempts, exc, when, report) -> None:
    permanent = isinstance(exc, DeliveryError) and exc.permanent
    if not isinstance(exc, DeliveryError):
        log.exception("unexpected error delivering %s", message_id)
    reason = str(exc) or type(exc).__name__
    try:
        with write_session(engine) as session:
            if permanent or attempts >= email.max_attempts:
                why = reason if permanent else f"{reason} (gave up after {attempts} attempts)"
                mark_failed(session, row_id, why, when)
                report.failed += 1
                log.error("message %s to %s failed: %s", message_id, recipient, why)
            else:
                retry_at = when + backoff(attempts, email.retry_backoff)
                mark_retry(session, row_id, reason, retry_at)
                report.retried += 1
                log.warning(
                    "message %s to %s not delivered (attempt %d): %s; retrying at %s",
                    message_id,
                    recipient,
                    attempts,
                    reason,
                    retry_at.isoformat(timespec="seconds"),
                )
    except Exception:  # noqa: BLE001
        log.exception("could not record the delivery failure of %s", message_id)
