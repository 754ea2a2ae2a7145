"""Signed tokens for links that work without a login: a digest's unsubscribe (E7), relevant / not relevant
feedback and follow-up links, and a profile's calendar feed URL (for calendar programs, which cannot log in).

A token is ``v1.<payload>.<signature>``: the payload is base64url JSON naming what the token is for
and what it is bound to; the signature is HMAC-SHA256 under a key derived from the web secret and
the token's purpose, so an unsubscribe token can never be used as a feedback token or the other way
round. Tokens carry no expiry: a link in an old digest keeps working. They cannot be guessed or
altered without the secret; they are bound to the recipient and profile (unsubscribe), the
profile, call and verdict (feedback) or the profile, call and recipient (follow-up: the recipient is
named in the audit log as ``link:<recipient>``).

The web UI verifies them; its pages must only *ask* on GET and act on POST (mail scanners follow
links). RFC 8058 one-click: a POST with body ``List-Unsubscribe=One-Click`` to the unsubscribe URL
unsubscribes at once. Functions here are pure; :func:`load_web_secret` reads the environment/file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

VERSION = "v1"
VERDICTS = ("relevant", "not_relevant")
#: file (under paths.var_dir) holding the development secret used when web.secret_env is unset
DEV_SECRET_FILE = "dev-web-secret"
MIN_SECRET_BYTES = 16


@dataclass(frozen=True)
class UnsubscribeRequest:
    profile_id: str
    recipient: str


@dataclass(frozen=True)
class FeedRequest:
    profile_id: str
    username: str


@dataclass(frozen=True)
class FeedbackRequest:
    profile_id: str
    call_id: int
    verdict: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=64)
def _key(secret: bytes, purpose: str) -> bytes:
    """The signing key of one purpose (derived once per secret and purpose: a digest signs thousands of links)."""
    return hmac.new(secret, f"fundwatch token key: {purpose}".encode(), hashlib.sha256).digest()


def _sign(secret: bytes, purpose: str, values: list) -> str:
    payload = _b64(json.dumps([purpose, *values], ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    signature = hmac.new(_key(secret, purpose), f"{VERSION}.{payload}".encode("ascii"), hashlib.sha256).digest()
    return f"{VERSION}.{payload}.{_b64(signature)}"


def _verify(secret: bytes, purpose: str, token: str, size: int) -> list | None:
    if not isinstance(token, str) or len(token) > 2000:
        return None
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != VERSION:
        return None
    try:
        given = _unb64(parts[2])
        expected = hmac.new(_key(secret, purpose), f"{VERSION}.{parts[1]}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(given, expected):
            return None
        values = json.loads(_unb64(parts[1]).decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeError):
        return None
    if not isinstance(values, list) or len(values) != size + 1 or values[0] != purpose:
        return None
    return values[1:]


def make_unsubscribe_token(secret: bytes, profile_id: str, recipient: str) -> str:
    """A token that unsubscribes ``recipient`` (case-insensitive) from ``profile_id``'s digests."""
    return _sign(secret, "unsubscribe", [profile_id, recipient.strip().lower()])


def verify_unsubscribe_token(secret: bytes, token: str) -> UnsubscribeRequest | None:
    """The (profile, recipient) a genuine token is bound to; None for a forged, altered or foreign token.

    The web UI then calls ``store.digests.unsubscribe(session, req.profile_id, req.recipient, now, via="link")``.
    """
    values = _verify(secret, "unsubscribe", token, 2)
    if values is None or not all(isinstance(v, str) and v for v in values):
        return None
    return UnsubscribeRequest(profile_id=values[0], recipient=values[1])


def make_feedback_token(secret: bytes, profile_id: str, call_id: int, verdict: str) -> str:
    """A token recording ``verdict`` (relevant / not_relevant) on ``call_id`` for ``profile_id``."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    return _sign(secret, "feedback", [profile_id, int(call_id), verdict])


def verify_feedback_token(secret: bytes, token: str) -> FeedbackRequest | None:
    """The (profile, call, verdict) a genuine token is bound to; None otherwise.

    The web UI then calls ``store.matches.set_feedback(session, req.profile_id, req.call_id, req.verdict)``.
    """
    values = _verify(secret, "feedback", token, 3)
    if values is None:
        return None
    profile_id, call_id, verdict = values
    if not isinstance(profile_id, str) or type(call_id) is not int or verdict not in VERDICTS:
        return None
    return FeedbackRequest(profile_id=profile_id, call_id=call_id, verdict=verdict)


@dataclass(frozen=True)
class FollowUpLinkRequest:
    profile_id: str
    call_id: int
    recipient: str


def make_followup_token(secret: bytes, profile_id: str, call_id: int, recipient: str) -> str:
    """A token that lets ``recipient`` record ``profile_id``'s follow-up of ``call_id`` (mark interest, move on)."""
    return _sign(secret, "followup", [profile_id, int(call_id), recipient.strip().lower()])


def verify_followup_token(secret: bytes, token: str) -> FollowUpLinkRequest | None:
    """The (profile, call, recipient) a genuine follow-up token is bound to; None otherwise.

    The web UI then calls ``store.followup.save_followup(..., actor=f"link:{req.recipient}")``.
    """
    values = _verify(secret, "followup", token, 3)
    if values is None:
        return None
    profile_id, call_id, recipient = values
    if not isinstance(profile_id, str) or not profile_id or type(call_id) is not int:
        return None
    if not isinstance(recipient, str) or not recipient:
        return None
    return FollowUpLinkRequest(profile_id=profile_id, call_id=call_id, recipient=recipient)


def make_feed_token(secret: bytes, profile_id: str, username: str) -> str:
    """A token that lets a calendar program read ``profile_id``'s deadline feed on behalf of ``username``."""
    return _sign(secret, "calendar-feed", [profile_id, username])


def verify_feed_token(secret: bytes, token: str) -> FeedRequest | None:
    """The (profile, user) a genuine feed token is bound to; None otherwise. The web UI also checks that the
    user still exists, so removing a user ends their feed links."""
    values = _verify(secret, "calendar-feed", token, 2)
    if values is None or not all(isinstance(v, str) and v for v in values):
        return None
    return FeedRequest(profile_id=values[0], username=values[1])


def load_web_secret(env_name: str, var_dir: Path, environ: dict[str, str] | None = None) -> bytes:
    """The secret that signs tokens: the environment variable ``env_name`` (``web.secret_env``).

    When it is unset (a development machine), a random secret is created once in
    ``var_dir/dev-web-secret`` (mode 0600) and reused, with a warning: links keep working across
    restarts, and the CLI and the web UI agree. Production must set the variable.
    """
    environ = os.environ if environ is None else environ
    value = environ.get(env_name, "")
    if value:
        secret = value.encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            log.warning("%s is shorter than %d bytes; use a long random value", env_name, MIN_SECRET_BYTES)
        return secret
    path = Path(var_dir) / DEV_SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it a moment ago
        else:
            with os.fdopen(fd, "w", encoding="ascii") as stream:
                stream.write(secrets.token_hex(32))
    log.warning(
        "%s is not set: signing links with the development secret in %s (set the variable in production)",
        env_name,
        path,
    )
    return path.read_text(encoding="ascii").strip().encode("ascii")
