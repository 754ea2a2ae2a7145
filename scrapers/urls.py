"""Links a source gives us: only http(s) ones are kept, and a stable key for calls that lack an id.

Browsers ignore tabs and newlines inside a URL and leading control characters, so ``java\\tscript:`` is
``javascript:``; ``safe_url`` strips them the same way before it looks at the scheme.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_STRIPPED = re.compile(r"[\t\n\r]")
_EDGES = "".join(chr(c) for c in range(0x21)) + "\u00a0\ufeff"
#: query parameters that only track the visitor (D5): dropped from keys
TRACKING = re.compile(
    r"^(?:utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|igshid|yclid|_ga|_gl"
    r"|ref_src|sc_campaign|sc_channel|trk|cmpid)$",
    re.IGNORECASE,
)
MAX_KEY = 500


def safe_url(href: str | None, base: str | None = None) -> str | None:
    """``href`` made absolute against ``base``, or None unless it is an http(s) URL with a host."""
    if not href:
        return None
    value = _STRIPPED.sub("", href).strip(_EDGES)
    if not value:
        return None
    try:
        absolute = urljoin(base, value) if base else value
        parts = urlsplit(absolute)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    if any(ch.isspace() for ch in absolute):
        absolute = absolute.replace(" ", "%20")
        if any(ch.isspace() for ch in absolute):
            return None
    return absolute


def strip_tracking(url: str) -> str:
    """``url`` without tracking parameters (``utm_*``, ``fbclid``, ...); everything else as it was."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not TRACKING.match(k)]
    if len(kept) == len(pairs):
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment))


def url_key(url: str) -> str:
    """A stable key for a call from its URL: scheme, ``www.``, fragment, default port, trailing slash and
    tracking parameters (``utm_*``, ``fbclid``, ...) do not matter; the remaining parameters are sorted.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    key = urlunsplit(("", host, path, urlencode(query), "")).lstrip("/")
    if len(key) > MAX_KEY:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        key = f"{key[: MAX_KEY - 34]}#{digest}"
    return key
