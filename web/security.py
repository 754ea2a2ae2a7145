"""Signed session cookies, CSRF tokens and the login rate limit."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import deque
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
    """Counts failed logins per user name and per client address within a sliding window.

    An address gets ``ADDRESS_FACTOR`` times the attempts of a user name: many staff may share one
    address (an office's NAT or the reverse proxy), and one person's typos must not lock out the rest.
    """

    MAX_KEYS = 10_000
    ADDRESS_FACTOR = 10

    def __init__(self, max_attempts: int, window_seconds: float, clock=time.monotonic) -> None:
        self.max_attempts = max_attempts
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, address: str, username: str) -> int:
        """Seconds until another attempt is allowed (0 = allowed now)."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key, limit in (
                (("addr", address), self.max_attempts * self.ADDRESS_FACTOR),
                (("user", username), self.max_attempts),
            ):
                times = self._recent(key, now)
                if len(times) >= limit:
                    wait = max(wait, self.window - (now - times[0]))
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, address: str, username: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) >= self.MAX_KEYS:
                for key in list(self._failures):
                    self._recent(key, now)
            for key in (("addr", address), ("user", username)):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(("user", username), None)
