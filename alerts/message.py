"""Building the MIME message: multipart/alternative [text/plain, text/html], UTF-8 quoted-printable. Pure.

The result is 7-bit clean bytes with CRLF line ends, ready for SMTP or an .eml file. Header values
are single lines: CR, LF and other control characters in a subject are turned into spaces, and an
address containing them is refused, so scraped text can never add a header (E8). The Message-ID is
derived from (profile, week, recipient), so the same digest always carries the same one (E2, E4).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, formataddr

from alerts.text import clean, truncate

#: headers whose value is one URL-like token: folding would break them (RFC 2369), so they stay on one line
_UNFOLDED = {"list-unsubscribe", "list-unsubscribe-post", "message-id"}


class _Policy(EmailPolicy):
    """SMTP policy (CRLF, 78-character lines) that leaves the ASCII list headers and Message-ID unfolded."""

    def fold_binary(self, name, value):
        text = str(value)
        if name.lower() in _UNFOLDED and text.isascii() and len(text) < 900 and not re.search(r"[\r\n]", text):
            return f"{name}: {text}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


POLICY = _Policy(linesep="\r\n")
ADDRESS = re.compile(r"^[^@\s<>\"',;()\[\]\\]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
SUBJECT_CHARS = 200


def header_text(value: str, limit: int = SUBJECT_CHARS) -> str:
    """A header value on one line: control characters become spaces; cut to ``limit`` characters."""
    return truncate(clean(value), limit)


def check_address(address: str) -> str:
    if not isinstance(address, str) or not ADDRESS.match(address):
        raise ValueError(f"not a plain email address: {address!r}")
    return address


def domain_of(address: str) -> str:
    return check_address(address).rsplit("@", 1)[1].lower()


def message_id_for(profile_id: str, week: str, recipient: str, sender: str) -> str:
    """The deterministic Message-ID of one profile's digest for one week and recipient."""
    digest = hashlib.sha256(f"{profile_id}\n{week}\n{recipient.strip().lower()}".encode()).hexdigest()[:24]
    slug = re.sub(r"[^a-z0-9-]", "-", profile_id.lower()).strip("-") or "overview"
    return f"<digest.{week.lower()}.{slug}.{digest}@{domain_of(sender)}>"


def build_message(
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    date: datetime,
    unsubscribe_url: str | None = None,
) -> bytes:
    """The complete message as bytes (CRLF, 7-bit). Raises ValueError for an unusable address."""
    check_address(sender)
    check_address(recipient)
    if not re.fullmatch(r"<[!-~]+@[!-~]+>", message_id) or len(message_id) > 250:
        raise ValueError(f"bad Message-ID {message_id!r}")
    msg = EmailMessage(policy=POLICY)
    msg["From"] = formataddr(("fundwatch", sender))
    msg["To"] = recipient
    msg["Subject"] = header_text(subject)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        if re.search(r"[\s<>]", unsubscribe_url) or not unsubscribe_url.startswith(("https://", "http://")):
            raise ValueError(f"bad unsubscribe URL {unsubscribe_url!r}")
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    # a boundary derived from the Message-ID keeps the bytes of a rebuilt message identical
    msg.set_boundary("=_fundwatch_" + hashlib.sha256(message_id.encode()).hexdigest()[:32])
    data = msg.as_bytes()
    data.decode("ascii")  # 7-bit clean, or fail loudly here rather than at the server
    return data
