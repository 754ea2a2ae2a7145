"""From response bytes to clean text: decoding whatever the server declares, and HTML to plain text.

Decoding trusts the bytes over the labels. In order: a byte-order mark; valid UTF-8 (ASCII is too); bytes
that are UTF-8 apart from a few bad ones (those become U+FFFD); the charset the document declares itself
(``<meta charset>``, the XML declaration); the HTTP header's charset, which is only a hint; and finally
Windows-1252. ISO-8859-1 is read as Windows-1252, as browsers do, so "smart quotes" survive. Swedish
å ä ö come through in every case; a warning says when the result needed guessing or repair.
"""

from __future__ import annotations

import codecs
import logging
import re
import warnings
from dataclasses import dataclass

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    MarkupResemblesLocatorWarning,
    NavigableString,
    ProcessingInstruction,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.dammit import EncodingDetector

logger = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LATIN1_FAMILY = {"latin_1", "iso8859-1", "ascii", "cp1252"}
_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) read as Latin-1."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("fundwatch-latin1", _latin1_fallback)


@dataclass(frozen=True)
class Decoded:
    text: str
    #: the codec used (Python's name)
    encoding: str
    #: set when the result needed guessing or repair (bad bytes, a wrong or missing declaration)
    warning: str | None = None


def header_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if any."""
    m = _CHARSET_RE.search(content_type or "")
    return m.group(1) if m else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None


def _legacy(body: bytes, codec: str) -> str | None:
    if codec in _LATIN1_FAMILY:
        return body.decode("cp1252", errors="fundwatch-latin1")
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(body: bytes, content_type: str | None = None, *, is_html: bool = True) -> Decoded:
    """Decode a response body; ``content_type`` (the header) is a hint, never the last word."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom) :].decode(codec, errors="replace"), codec)
    hinted = _codec(header_charset(content_type))
    declared_raw = EncodingDetector.find_declared_encoding(body, is_html=is_html)
    declared = _codec(declared_raw)
    for wide in (declared, hinted):
        if wide and wide.startswith(("utf-16", "utf-32")):
            try:
                return Decoded(body.decode(wide), wide)
            except UnicodeDecodeError:
                continue
    try:
        return Decoded(body.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    repaired = body.decode("utf-8", errors="replace")
    bad = repaired.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    good = sum(1 for ch in repaired if ord(ch) > 127) - repaired.count("\ufffd")
    if good > 0 and (bad <= good or "utf-8" in (declared, hinted)):
        return Decoded(repaired, "utf-8", f"{bad} byte(s) are not valid UTF-8 and were replaced by U+FFFD")
    for codec, origin in ((declared, "the document"), (hinted, "the server")):
        if not codec or codec == "utf-8" or codec.startswith(("utf-16", "utf-32")):
            continue
        text = _legacy(body, codec)
        if text is not None:
            warning = None
            if hinted and hinted != codec and origin == "the document":
                warning = f"the server declared {hinted} but the document declares {codec}"
            return Decoded(text, "cp1252" if codec in _LATIN1_FAMILY else codec, warning)
    said = declared or hinted
    why = f"declared {said} does not fit the bytes" if said else "no charset declared"
    return Decoded(body.decode("cp1252", errors="fundwatch-latin1"), "cp1252", f"{why}; read as windows-1252")


def parse_html(markup: str) -> BeautifulSoup:
    """An HTML tree (stdlib parser, no external loads). XHTML and text that looks like a URL are fine here,
    so BeautifulSoup's warnings about them are silenced for this call only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        return BeautifulSoup(markup, "html.parser")


def soup_of(body: bytes | str, content_type: str | None = None, source: str = "", url: str = "") -> BeautifulSoup:
    """An HTML tree from response bytes, decoded as described above; a decoding warning is logged."""
    if isinstance(body, str):
        return parse_html(body)
    decoded = decode(body, content_type)
    if decoded.warning:
        logger.warning("%s: %s: %s", source or "page", url or "(response)", decoded.warning)
    return parse_html(decoded.text)


#: elements whose content is never text a reader wants
DROP = frozenset(
    "script style noscript template iframe object embed svg canvas form button select input textarea "
    "head title meta link nav".split()
)
#: elements that start a new paragraph
BLOCK = frozenset(
    "p div section article main header footer aside h1 h2 h3 h4 h5 h6 ul ol dl dt dd table thead tbody tfoot "
    "tr blockquote pre figure figcaption address hr details summary fieldset center caption".split()
)
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """One line of text: whitespace (incl. no-break spaces) collapsed, invisible characters removed."""
    return _SPACES.sub(" ", (text or "").translate(_INVISIBLE)).strip()


def html_to_text(markup: str | Tag | None, drop: frozenset[str] = DROP) -> str:
    """Plain text of HTML: one paragraph per block, list items as "- item", scripts, styles and forms dropped."""
    if markup is None:
        return ""
    root = parse_html(markup) if isinstance(markup, str) else markup
    paragraphs: list[str] = []
    current: list[str] = []
    prefix = [""]

    def flush() -> None:
        line = clean("".join(current))
        current.clear()
        if line:
            paragraphs.append(prefix[0] + line)
        prefix[0] = ""

    stack: list[tuple[object, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(node, NavigableString):
            current.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if name in drop:
            continue
        if not entering:
            if name in BLOCK or name == "li":
                flush()
            elif name in ("td", "th"):
                current.append(" ")
            continue
        if name == "br":
            flush()
            continue
        if name in BLOCK or name == "li":
            flush()
            if name == "li":
                prefix[0] = "- "
        stack.append((node, False))
        stack.extend((child, True) for child in reversed(node.contents))
    flush()
    out: list[str] = []
    for para in paragraphs:
        if out and para.startswith("- ") and out[-1].startswith("- "):
            out[-1] += "\n" + para
        else:
            out.append(para)
    return "\n\n".join(out)


_NOISE_RE = re.compile(r"cookie|consent|gdpr|breadcrumb|skip-?link|share|social|newsletter", re.IGNORECASE)
MAIN_SELECTORS = ("main", "[role=main]", "article", "#content", "#main", "#main-content", ".main-content")


def main_text(soup: BeautifulSoup | Tag, remove: tuple[str, ...] | list[str] = ()) -> str:
    """The main text of a page: navigation, header, footer, cookie banners and asides left out."""
    for sel in ("header", "footer", "aside", *remove):
        for el in soup.select(sel):
            el.decompose()
    for el in soup.find_all(True):
        if el.decomposed or el.attrs is None:
            continue
        marks = " ".join([el.get("id") or "", *(el.get("class") or [])])
        if marks and _NOISE_RE.search(marks) and el.name not in ("body", "html", "main"):
            el.decompose()
    for sel in MAIN_SELECTORS:
        found = soup.select_one(sel)
        if found is not None and clean(found.get_text(" ")):
            return html_to_text(found)
    body = soup.find("body")
    return html_to_text(body if isinstance(body, Tag) else soup)


def excerpt(text: str, limit: int = 300) -> str:
    """The start of a text, at most ``limit`` characters, cut at a sentence or word boundary."""
    flat = clean(text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    sentence = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence >= limit // 2:
        return cut[: sentence + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(",;:- ") + "…"
