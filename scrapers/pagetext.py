"""A page's meaningful text: what is left when the parts that change without meaning anything are removed.

Pages change every day without saying anything new: "Senast uppdaterad 3 mars 2025", "Sidan uppdaterades
...", view counters, cookie banners, "Dela sidan", "Skriv ut", "Var sidan till hjälp? Ja Nej", breadcrumbs.
:func:`meaningful_text` drops those paragraphs (and such phrases inside a paragraph), so the stored
description, and with it the call's content hash, stays the same under that noise; a real change of the
text changes it. :func:`fingerprint` is a short hash of the meaningful text (kept in ``extra``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

_DATE = (
    r"(?:den\s+)?(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}(?:st|nd|rd|th|:a|:e)?\.?\s+[A-Za-zåäöÅÄÖ]{3,9}\.?"
    r"(?:,?\s+\d{4})?|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})(?:,?\s+(?:kl\.?\s*|klockan\s+|at\s+)?\d{1,2}[:.]\d{2})?"
)
_TOUCHED = (
    r"(?:uppdaterad|uppdaterades|ändrad|ändrades|publicerad|publicerades|granskad|granskades|reviderad|skapad"
    r"|updated|modified|published|reviewed|changed)"
)
#: phrases that only say when the page itself was touched, with their date: anywhere when they say it is about
#: the page ("Sidan uppdaterades ...", "Senast ändrad ...", "Last updated ..."), else at a line's start or in brackets
_HISTORY_RE = re.compile(
    rf"(?:\b(?:sida[n]?|page|this\s+page\s+was)\s+(?:senast\s+|last\s+)?{_TOUCHED}|\b(?:senast|last)\s+{_TOUCHED}"
    rf"|(?:^|(?<=\())\s*{_TOUCHED})(?:\s+senast)?(?:\s+(?:den|on))?\s*:?\s*{_DATE}",
    re.IGNORECASE | re.MULTILINE,
)
#: whole paragraphs that are page furniture
_FURNITURE_RE = re.compile(
    r"^(?:(?:sida[n]?\s+)?(?:senast\s+)?(?:uppdater|ändra|publicer|granska)\w*(?:\s+senast)?(?:\s+den)?\s*:?\s*\d.{0,60}"
    r"|(?:page\s+)?(?:last\s+)?(?:updated|modified|published|reviewed)(?:\s+on)?\s*:?\s*(?:\d|[a-z]{3,9}\.?\s+\d).{0,60}"
    r"|(?:antal\s+)?(?:visningar|sidvisningar|besökare|läsare)\b.{0,30}|\d[\d\s]*\s*(?:visningar|sidvisningar|views|läsningar)\b.{0,20}"
    r"|(?:views|page\s+views|visits)\s*:?\s*\d[\d\s]*|läst\s+\d[\d\s]*\s+gånger"
    r"|dela(?:\s+(?:sidan|på\s+\w+|artikeln))?|share(?:\s+(?:this\s+page|on\s+\w+))?|skriv\s+ut(?:\s+sidan)?|print(?:\s+page)?"
    r"|lyssna|listen|tipsa(?:\s+en\s+vän)?|till\s+toppen|back\s+to\s+top|hoppa\s+till\s+(?:huvud)?innehåll\w*"
    r"|skip\s+to\s+(?:main\s+)?content|du\s+är\s+här\s*:.*|you\s+are\s+here\s*:.*"
    r"|(?:var|hjälpte)\s+(?:den\s+här\s+sidan|sidan|informationen)(?:\s+dig)?(?:\s+till\s+hjälp)?\s*\??(?:\s+ja\s+nej)?"
    r"|was\s+this\s+(?:page|information)\s+(?:helpful|useful)\s*\??(?:\s+yes\s+no)?|ja\s+nej|yes\s+no"
    r"|tack\s+för\s+(?:ditt\s+svar|din\s+återkoppling)!?|thank\s+you\s+for\s+your\s+feedback!?"
    r"|sidansvarig\s*:?.{0,80}|innehållsansvarig\s*:?.{0,80}|page\s+(?:editor|owner)\s*:?.{0,80})$",
    re.IGNORECASE,
)
#: cookie banners and consent texts
_COOKIE_RE = re.compile(
    r"\b(?:kakor|cookies?|cookie-?inställningar|samtycke|consent)\b.{0,200}"
    r"\b(?:använder|accepter\w*|godkänn\w*|neka|avvisa|inställningar|we\s+use|accept|reject|settings|samtyck\w*)\b"
    r"|\b(?:använder|we\s+use|accepter\w*|godkänn\w*)\b.{0,120}\b(?:kakor|cookies?)\b",
    re.IGNORECASE | re.DOTALL,
)
_COUNTER_RE = re.compile(
    r"\(?\b\d[\d\s]*\s*(?:visningar|sidvisningar|views|läsningar)\b\)?|\b(?:antal\s+)?visningar\s*:?\s*\d[\d\s]*",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t\u00a0]+")


def _clean_paragraph(paragraph: str) -> str:
    text = _HISTORY_RE.sub("", paragraph)
    text = _COUNTER_RE.sub("", text)
    text = re.sub(r"\(\s*[,;]?\s*\)", "", text)
    lines = [_SPACES.sub(" ", line).strip(" |·•–-") if not line.startswith("- ") else line.rstrip() for line in
             text.split("\n")]  # fmt: skip
    return "\n".join(line for line in lines if line.strip())


def meaningful_text(text: str, ignore: Iterable[str] = ()) -> str:
    """``text`` (paragraphs separated by blank lines) without its noise; ``ignore``: more regular expressions
    for paragraphs to drop (searched, case-insensitive)."""
    extra = [re.compile(p, re.IGNORECASE) for p in ignore]
    kept: list[str] = []
    for paragraph in (text or "").split("\n\n"):
        flat = _SPACES.sub(" ", paragraph).strip()
        if not flat or _FURNITURE_RE.match(flat) or any(p.search(flat) for p in extra):
            continue
        if len(flat) <= 600 and _COOKIE_RE.search(flat):
            continue
        cleaned = _clean_paragraph(paragraph)
        if cleaned and not _FURNITURE_RE.match(cleaned):
            kept.append(cleaned)
    return "\n\n".join(kept)


def fingerprint(text: str) -> str:
    """A short hash of meaningful text; case and spacing do not count."""
    flat = " ".join((text or "").casefold().split())
    return hashlib.sha256(flat.encode("utf-8")).hexdigest()[:16]
