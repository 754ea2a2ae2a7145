"""Refuse XML that could expand, read files or call out before any XML parser sees it (RELIABILITY I1/I2).

feedparser falls back to a loose parser that expands entities itself: one large entity repeated through a
feed cost minutes and gigabytes. So a feed's document type declaration is read here first, as text, and
the feed is refused with a clear reason when it declares

- an external DTD (``<!DOCTYPE rss SYSTEM "http://...">``), except the well-known RSS 0.91 public one,
  which no parser fetches;
- an external entity (``<!ENTITY x SYSTEM "file:///etc/passwd">``) or a parameter entity (``<!ENTITY % x``);
- an entity whose value refers to other entities (the "billion laughs" nesting);
- entities whose expansion would exceed a limit (the "quadratic blow-up": one big entity used many times).

A small internal entity (``<!ENTITY org "Tillväxtverket">``) is allowed. The check is linear in the input.
"""

from __future__ import annotations

import re

from errors import SourceError

#: the one external DTD feeds legitimately carry (RSS 0.91); it is never fetched
ALLOWED_PUBLIC_IDS = frozenset({"-//Netscape Communications//DTD RSS 0.91//EN"})
MAX_ENTITIES = 64
MAX_EXPANSION = 1_000_000  # characters added by expanding every entity reference

_DOCTYPE_RE = re.compile(r"<!DOCTYPE\s+[^\s\[>]+\s*", re.IGNORECASE)
_EXTERNAL_ID_RE = re.compile(
    r"""(?:SYSTEM\s*(?P<sys>"[^"]*"|'[^']*')|PUBLIC\s*(?P<pub>"[^"]*"|'[^']*')\s*(?P<pubsys>"[^"]*"|'[^']*')?)\s*""",
    re.IGNORECASE,
)
_ENTITY_RE = re.compile(
    r"""<!ENTITY\s+(?P<pe>%\s+)?(?P<name>[^\s"'>]+)\s+(?:(?P<ext>SYSTEM|PUBLIC)\b|(?P<value>"[^"]*"|'[^']*'))""",
    re.IGNORECASE,
)
_ENTITY_REF_RE = re.compile(r"[&%]([A-Za-z_:][\w.:-]*);")
_PREDEFINED = frozenset({"lt", "gt", "amp", "quot", "apos"})


def _subset_end(text: str, start: int) -> int:
    """Index of the ``]`` closing an internal subset that opens at ``start`` (quotes respected), or -1."""
    quote = ""
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "]":
            return i
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return -1
            i = end + 3
            continue
        i += 1
    return -1


def _refuse(reason: str) -> SourceError:
    return SourceError("unsafe_xml", f"feed refused: {reason}")


def check_xml(text: str) -> None:
    """Raise :class:`errors.SourceError` (reason ``unsafe_xml``) when ``text`` declares something unsafe."""
    doctypes = list(_DOCTYPE_RE.finditer(text))
    if len(doctypes) > 1:
        raise _refuse("more than one document type declaration")
    entities: dict[str, str] = {}
    body_start = 0
    if doctypes:
        dt = doctypes[0]
        pos = dt.end()
        external = _EXTERNAL_ID_RE.match(text, pos)
        if external:
            public = (external.group("pub") or "")[1:-1]
            system = (external.group("sys") or external.group("pubsys") or "")[1:-1]
            if public not in ALLOWED_PUBLIC_IDS:
                raise _refuse(f"external DTD {system or public!r} (feeds must not load outside definitions)")
            pos = external.end()
        body_start = pos
        if pos < len(text) and text[pos] == "[":
            end = _subset_end(text, pos + 1)
            if end < 0:
                raise _refuse("unterminated internal DTD subset")
            subset = text[pos + 1 : end]
            body_start = end + 1
            entities = _entities(subset)
    if re.search(r"<!ENTITY", text[body_start:], re.IGNORECASE):
        raise _refuse("entity declaration outside the document type declaration")
    if entities:
        body = text[body_start:]
        total = 0
        for name, count in _reference_counts(body, entities).items():
            total += count * len(entities[name])
            if total > MAX_EXPANSION:
                raise _refuse(f"entity expansion over {MAX_EXPANSION:,} characters (entity {name!r})")


def _entities(subset: str) -> dict[str, str]:
    found = list(_ENTITY_RE.finditer(subset))
    for m in found:
        if m.group("pe"):
            raise _refuse(f"parameter entity {m.group('name')!r}")
        if m.group("ext"):
            raise _refuse(f"external entity {m.group('name')!r} ({m.group('ext').upper()})")
    if subset.upper().count("<!ENTITY") != len(found):
        raise _refuse("an entity declaration that cannot be read")
    if len(found) > MAX_ENTITIES:
        raise _refuse(f"more than {MAX_ENTITIES} entity declarations")
    entities: dict[str, str] = {}
    for m in found:
        name = m.group("name")
        value = m.group("value")[1:-1]
        nested = [ref for ref in _ENTITY_REF_RE.findall(value) if ref not in _PREDEFINED]
        if nested:
            raise _refuse(f"entity {name!r} refers to other entities ({', '.join(sorted(set(nested)))})")
        entities[name] = value
    return entities


def _reference_counts(body: str, entities: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in _ENTITY_REF_RE.finditer(body):
        if m.group(0)[0] == "&" and m.group(1) in entities:
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts
