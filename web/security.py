"""Signed session cookies, CSRF tokens and the login rate limit."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

log = logging.getLogger(__name__)

COOKIE = "fundwatch_session"


def resolve_secret(env_name: str, value: str | None) -> str:
    """The session-signing secret; without one, a random secret for this process only (logged as such)."""
    if value:
        if len(value) < 32:
            log.warning("%s is shorter than 32 characters; use a long random value", env_name)
        return value
    log.warning(
        "%s is not set: using a temporary random session secret (development only); "
        "every login ends when the server restarts. Set %s to a long random value in production.",
        env_name,
        env_name,
    )
    return secrets.token_urlsafe(48)


class SessionCodec:
    """Signs and checks the session cookie's content (a small dict); the cookie expires after ``max_age`` s."""

    def __init__(self, secret: str, max_age: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="fundwatch-session")
        self.max_age = max_age

    def dumps(self, data: dict[str, Any]) -> str:
        return self._serializer.dumps(data)

    def loads(self, cookie: str | None) -> dict[str, Any]:
        if not cookie:
            return {}
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}


def password_stamp(password_hash: str) -> str:
    """A short fingerprint of a password hash: a session ends when the password changes."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_equal(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class LoginLimiter:
    """The login rate limit: at most ``max_attempts`` failed logins per user name, and ``ADDRESS_FACTOR`` times
    as many per client address, within a sliding window of ``window_seconds``.

    It holds no counts itself: the failures are the audit trail's ``login.failed`` records (read with
    ``store.accounts.failed_logins``), so every web worker process, and a restarted one, sees the same
    attempts. A successful login ends the count for its user name (not for the address). An address gets
    more attempts than a name because many staff may share one (an office's NAT or the reverse proxy), and
    one person's typos must not lock out the rest.
    """

    ADDRESS_FACTOR = 10

    def __init__(self, max_attempts: int, window_seconds: float) -> None:
        self.max_attempts = max_attempts
        self.window = timedelta(seconds=window_seconds)

    def since(self, now: datetime) -> datetime:
        """The start of the window that counts at ``now``."""
        return now - self.window

    def retry_after(
        self, user_failures: Sequence[datetime], address_failures: Sequence[datetime], now: datetime
    ) -> int:
        """Seconds until another attempt is allowed (0 = allowed now), given the failures (oldest first) in the
        window for the user name and for the address."""
        wait = timedelta(0)
        for times, limit in (
            (address_failures, self.max_attempts * self.ADDRESS_FACTOR),
            (user_failures, self.max_attempts),
        ):
            recent = [t for t in times if now - t < self.window]
            if len(recent) >= limit:
                # allowed again when enough of the oldest failures have left the window to be under the limit
                wait = max(wait, self.window - (now - recent[len(recent) - limit]))
        return math.ceil(wait.total_seconds()) if wait > timedelta(0) else 0
