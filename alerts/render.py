"""Rendering digests as plain text and HTML with the Jinja2 templates in ``alerts/templates``. Pure.

HTML is autoescaped; the templates use tables and inline CSS only (Outlook), no images, scripts,
styles blocks or tracking. Links come only from values that ``alerts.text.safe_http_url`` accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts.digest import Digest
from alerts.overview import Overview
from alerts.text import plural, week_number

TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(
            enabled_extensions=("html",), disabled_extensions=("txt",), default_for_string=True, default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def tidy_text(text: str) -> str:
    """No trailing spaces, at most one empty line in a row, one newline at the end."""
    lines = [line.rstrip() for line in text.splitlines()]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


def _intro(digest: Digest) -> str:
    parts = []
    if digest.new:
        parts.append(plural(len(digest.new), "ny utlysning", "nya utlysningar") + " som matchar era prioriteringar")
    if digest.closing:
        parts.append(f"{len(digest.closing)} från tidigare utskick med deadline snart")
    if digest.changed:
        parts.append(f"{len(digest.changed)} som har ändrats")
    text = ", ".join(parts[:-1]) + (" och " if len(parts) > 1 else "") + parts[-1]
    return f"Den här veckan: {text}."


def render_digest(
    digest: Digest,
    unsubscribe_url: str,
    closing_days: int = 14,
    followup_url: Callable[[int], str] | None = None,
) -> Rendered:
    """Both parts of one profile's digest for one recipient (the unsubscribe link is theirs, and so are the
    follow-up links ``followup_url(call_id)``: "Markera som intresserad", or "Följ upp" when followed up)."""
    env = environment()
    values = {
        "digest": digest,
        "week_number": week_number(digest.week),
        "intro": "" if digest.empty else _intro(digest),
        "unsubscribe_url": unsubscribe_url,
        "closing_days": closing_days,
        "followup_url": followup_url,
    }
    text = tidy_text(env.get_template("digest.txt").render(values))
    html = env.get_template("digest.html").render(values)
    return Rendered(subject=digest.subject, text=text, html=html)


def render_overview(overview: Overview, unsubscribe_url: str) -> Rendered:
    """Both parts of KLK's overview for one recipient."""
    env = environment()
    values = {"overview": overview, "week_number": week_number(overview.week), "unsubscribe_url": unsubscribe_url}
    text = tidy_text(env.get_template("overview.txt").render(values))
    html = env.get_template("overview.html").render(values)
    return Rendered(subject=overview.subject, text=text, html=html)
