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
from functools import lru_cache

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
    """The complete message as bytes (CRLF, 7-bit). Raises ValueError for an unusable address.

    The bytes are those the ``email`` package writes for this message (:func:`build_message_with_email`);
    they are assembled directly (the Subject alone still folded by the ``email`` package), which is several
    times faster, and fall back to the ``email`` package when a header could need folding or quoting.
    """
    check_address(sender)
    check_address(recipient)
    _check_message_id(message_id)
    if unsubscribe_url:
        _check_unsubscribe_url(unsubscribe_url)
    headers = _plain_headers(sender, recipient, date, message_id, unsubscribe_url)
    if headers is None:
        return build_message_with_email(
            sender=sender,
            recipient=recipient,
            subject=subject,
            text=text,
            html=html,
            message_id=message_id,
            date=date,
            unsubscribe_url=unsubscribe_url,
        )
    boundary = _boundary(message_id)
    subject_line = _subject_line(header_text(subject))
    parts = [
        headers[0],  # From, To
        subject_line,
        headers[1],  # Date, Message-ID, Auto-Submitted, List-Unsubscribe[-Post]
        f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n\r\n',
        f"--{boundary}\r\n",
        'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
        _qp_body(text),
        f"\r\n--{boundary}\r\n",
        'Content-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n'
        "MIME-Version: 1.0\r\n\r\n",
        _qp_body(html),
        f"\r\n--{boundary}--\r\n",
    ]
    return "".join(parts).encode("ascii")  # 7-bit clean, or fail loudly here rather than at the server


def build_message_with_email(
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
    """:func:`build_message` written entirely by the ``email`` package (the reference its bytes must equal)."""
    check_address(sender)
    check_address(recipient)
    _check_message_id(message_id)
    msg = EmailMessage(policy=POLICY)
    msg["From"] = formataddr(("fundwatch", sender))
    msg["To"] = recipient
    msg["Subject"] = header_text(subject)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        _check_unsubscribe_url(unsubscribe_url)
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.set_boundary(_boundary(message_id))
    data = msg.as_bytes()
    data.decode("ascii")  # 7-bit clean, or fail loudly here rather than at the server
    return data


def _check_message_id(message_id: str) -> None:
    if not re.fullmatch(r"<[!-~]+@[!-~]+>", message_id) or len(message_id) > 250:
        raise ValueError(f"bad Message-ID {message_id!r}")


def _check_unsubscribe_url(url: str) -> None:
    if re.search(r"[\s<>]", url) or not url.startswith(("https://", "http://")):
        raise ValueError(f"bad unsubscribe URL {url!r}")


def _boundary(message_id: str) -> str:
    # a boundary derived from the Message-ID keeps the bytes of a rebuilt message identical
    return "=_fundwatch_" + hashlib.sha256(message_id.encode()).hexdigest()[:32]


#: an address the ``email`` package writes back unchanged: a dot-atom local part and a plain domain
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MAX_LINE = 78


def _plain_headers(sender, recipient, date, message_id, unsubscribe_url) -> tuple[str, str] | None:
    """The headers but the Subject as the ``email`` package writes them, or None when one could be folded or
    rewritten by it (a long line, an unusual address): then the whole message is left to the package."""
    if not (_PLAIN_ADDRESS.fullmatch(sender) and _PLAIN_ADDRESS.fullmatch(recipient)):
        return None
    first = [f"From: fundwatch <{sender}>", f"To: {recipient}"]
    second = [f"Date: {format_datetime(date)}", f"Message-ID: {message_id}", "Auto-Submitted: auto-generated"]
    if unsubscribe_url:
        second += [f"List-Unsubscribe: <{unsubscribe_url}>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
    # Message-ID and List-Unsubscribe are never folded (``_Policy``) below 900 characters; the others must fit
    if any(len(line) > _MAX_LINE for line in first + second if not line.startswith(("Message-ID", "List-Unsub"))):
        return None
    if len(message_id) >= 900 or len(f"<{unsubscribe_url}>") >= 900:
        return None
    return "".join(line + "\r\n" for line in first), "".join(line + "\r\n" for line in second)


@lru_cache(maxsize=256)
def _subject_line(subject: str) -> str:
    """The Subject header as the ``email`` package folds it (RFC 2047 words for Swedish letters), with CRLF."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = subject
    data = msg.as_bytes().decode("ascii")
    return data[: -len(POLICY.linesep)]  # the header block's closing empty line


def _qp_body(text: str) -> str:
    """A text part's body as the ``email`` package writes it: UTF-8, quoted-printable, CRLF line ends."""
    lines = text.encode("utf-8").splitlines()
    body = qp_encode((b"\n".join(lines) + b"\n").decode("latin-1"), _MAX_LINE)
    return "\r\n".join(_NEWLINE.split(body))


_NEWLINE = re.compile(r"\r\n|\r|\n")
#: what ``email.quoprimime`` quotes in a body: all but tab, CR, LF and printable ASCII other than "="
_QP_UNSAFE = re.compile(r"[^\t\n\r !-<>-~]+")
_QP_QUOTED = [f"={i:02X}" for i in range(256)]


def _qp_quote(match: re.Match) -> str:
    return "".join([_QP_QUOTED[ord(c)] for c in match.group()])


def qp_encode(body: str, maxlinelen: int = 76) -> str:
    """``email.quoprimime.body_encode(body, maxlinelen)`` for a latin-1 string, with the quoting done by one
    regular expression instead of a per-character ``str.translate`` (several times faster on mostly-ASCII
    text; ``tests/test_digest_message_bytes.py`` compares the two)."""
    if not body:
        return body
    body = _QP_UNSAFE.sub(_qp_quote, body)
    maxlinelen1 = maxlinelen - 1
    out: list[str] = []
    append = out.append
    for line in body.splitlines():  # the rest as in body_encode: soft breaks, never inside "=XX"
        start = 0
        laststart = len(line) - 1 - maxlinelen
        while start <= laststart:
            stop = start + maxlinelen1
            if line[stop - 2] == "=":
                append(line[start : stop - 1])
                start = stop - 2
            elif line[stop - 1] == "=":
                append(line[start:stop])
                start = stop - 1
            else:
                append(line[start:stop] + "=")
                start = stop
        if line and line[-1] in " \t":
            room = start - laststart
            if room >= 3:
                q = _QP_QUOTED[ord(line[-1])]
            elif room == 2:
                q = line[-1] + "=\n"
            else:
                q = "=\n" + _QP_QUOTED[ord(line[-1])]
            append(line[start:-1] + q)
        else:
            append(line[start:])
    if body[-1] in "\r\n":
        append("")
    return "\n".join(out)
