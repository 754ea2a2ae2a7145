"""The same call from several sources, recognised and grouped. Pure: plain items in, group keys out.

The same Interreg call is listed by EuroAccess and by the programme's own site; an EU topic is announced
by a Swedish agency too. Two calls from different sources are the same when:

- they name the same EU topic identifier (``HORIZON-CL5-2027-03-D5-05``): a call whose own id is such an
  identifier names only itself; another names the one identifier its text mentions (one only: a text
  listing several topics is an overview, not a copy);
- or their final deadlines fall within a day of each other, their programme and funder names agree (if
  both have them), and their titles agree once programme and funder words, years and filler ("call for
  proposals", "utlysning") are left out: most words shared, and the same numbers ("3rd call" is not the
  "5th call", "objective 2.1" not "2.2"); a title left with only its number needs the same programme;
- or neither has a deadline and their titles agree word for word, under the same programme.

Calls of one source are never grouped with each other (a source's ids are distinct calls). A group's key
is made from its first member (by source and id), so it stays the same while that member stays in it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: EU programme prefixes of Funding & Tenders Portal identifiers
_PREFIXES = (
    "HORIZON|LIFE|ERASMUS|ERASMUS\\+|DIGITAL|CERV|CREA|CEF|EU4H|SMP|EMFAF|AMIF|ISF|JUST|ESF|SOCPL|UCPM|I3|EUAF|EDF"
    "|RFCS|INNOVFUND|EIC|ERC|MSCA|BMVI|PPPA|EUROPEAID|RELEX|ECCC|CBE|EUBA|EURATOM|ESC|ERASMUSPLUS"
)
TOPIC_RE = re.compile(rf"(?<![\w-])(?:{_PREFIXES})(?:-[A-Za-z0-9]+){{2,}}(?![\w-])")
_ORDINALS = {
    "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6", "seventh": "7",
    "eighth": "8", "ninth": "9", "tenth": "10", "första": "1", "andra": "2", "tredje": "3", "fjärde": "4",
    "femte": "5", "sjätte": "6", "sjunde": "7", "åttonde": "8", "nionde": "9", "tionde": "10",
}  # fmt: skip
_FILLER = set(
    "call calls for proposal proposals the of and a an in on to from with open opens new call: "
    "utlysning utlysningen utlysningar inom för och i av till med om öppen öppnar ny nya ansökan ansökningsomgång "
    "programme program interreg eu european union commission cut off cutoff date deadline "
    "2021 2027 2021-2027".split()
)
_ORDINAL_RE = re.compile(r"^([0-9]+)(?:st|nd|rd|th|:a|:e)$")
SAME_DEADLINE = timedelta(hours=26)


@dataclass(frozen=True)
class Item:
    """What grouping needs of a call."""

    id: int
    source: str
    external_id: str
    title: str
    programme: str = ""
    funder: str = ""
    deadline: datetime | None = None
    #: summary and description, searched for EU topic identifiers
    text: str = ""


def tokens(text: str) -> list[str]:
    out = []
    for raw in re.findall(r"[0-9]+(?:st|nd|rd|th|:a|:e)\b|[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+", (text or "").casefold()):
        m = _ORDINAL_RE.match(raw)
        out.append(m.group(1) if m else _ORDINALS.get(raw, raw))
    return out


def _is_year(token: str) -> bool:
    return len(token) == 4 and token.isdigit() and token.startswith("20")


@dataclass(frozen=True)
class _Facts:
    """What comparisons need of an item, worked out once."""

    ids: frozenset[str]
    context: frozenset[str]
    words: frozenset[str]
    numbers: frozenset[str]


def _facts(item: Item) -> _Facts:
    words, numbers = set(), set()
    for token in tokens(item.title):
        if token in _FILLER or _is_year(token):
            continue
        (numbers if token[0].isdigit() else words).add(token)
    context = {t for t in tokens(f"{item.programme} {item.funder}") if t not in _FILLER}
    return _Facts(frozenset(topic_ids(item)), frozenset(context), frozenset(words), frozenset(numbers))


def title_words(item: Item, context: set[str]) -> tuple[set[str], set[str]]:
    """``(words, numbers)`` of a title without filler, years and the programme's and funder's own words."""
    facts = _facts(item)
    return set(facts.words - context), set(facts.numbers - context)


def topic_ids(item: Item) -> set[str]:
    """The EU topic identifiers a call stands for: its own id, or the single one its text names."""
    own = item.external_id.strip()
    if TOPIC_RE.fullmatch(own):
        return {own.upper()}
    found = {m.group(0).upper() for m in TOPIC_RE.finditer(f"{item.title}\n{item.text}")}
    found = {f for f in found if not any(other != f and other.startswith(f + "-") for other in found)}
    return found if len(found) == 1 else set()


def same_call(a: Item, b: Item) -> bool:
    """Whether two calls from different sources are the same call (see the module's description)."""
    return _same(a, b, _facts(a), _facts(b))


def _same(a: Item, b: Item, fa: _Facts, fb: _Facts) -> bool:
    if a.source == b.source:
        return False
    if fa.ids & fb.ids:
        return True
    ca, cb = fa.context, fb.context
    if ca and cb and len(ca & cb) / min(len(ca), len(cb)) < 0.6:
        return False  # different programmes ("South Baltic" is not "Central Baltic")
    context = ca | cb
    wa, na = fa.words - context, fa.numbers - context
    wb, nb = fb.words - context, fb.numbers - context
    if (na or nb) and na != nb:
        return False
    if a.deadline is None and b.deadline is None:
        return wa == wb and len(wa) >= 2 and bool(ca & cb)
    if a.deadline is None or b.deadline is None or abs(a.deadline - b.deadline) > SAME_DEADLINE:
        return False
    if not wa or not wb:  # "5th call for proposals" and "Fifth call – regular projects": the number says it
        return bool(na) and bool(ca & cb)
    shared = len(wa & wb)
    return shared >= min(2, len(wa), len(wb)) and shared / min(len(wa), len(wb)) >= 0.75


def group_key(members: Iterable[Item]) -> str:
    first = min((m.source, m.external_id) for m in members)
    return hashlib.sha256(f"{first[0]}\x00{first[1]}".encode()).hexdigest()[:32]


def _candidate_pairs(items: Sequence[Item], facts: Sequence[_Facts]) -> set[tuple[int, int]]:
    """Index pairs worth comparing: a shared topic id, or a shared title word or number on the same or the next
    deadline day (or, both without deadlines, a shared title word). Any pair that can be the same call shares one."""
    buckets: dict[tuple[object, ...], list[int]] = {}
    for index, (item, fact) in enumerate(zip(items, facts, strict=True)):
        keys: list[tuple[object, ...]] = [("topic", t) for t in fact.ids]
        title = fact.words | fact.numbers
        if item.deadline is not None:
            day = item.deadline.astimezone(UTC).date().toordinal()
            keys += [("day", d, t) for t in title for d in (day - 1, day, day + 1)]
        else:
            keys += [("word", t) for t in title]
        for key in keys:
            buckets.setdefault(key, []).append(index)
    pairs: set[tuple[int, int]] = set()
    for key, members in buckets.items():
        if key[0] != "topic" and len(members) > 200:  # a word every call of a day has: no information
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if items[a].source != items[b].source:
                    pairs.add((min(a, b), max(a, b)))
    return pairs


def group_calls(items: Sequence[Item]) -> dict[int, str]:
    """Call id -> group key for every call that has a duplicate among ``items``; others are left out."""
    facts = [_facts(item) for item in items]
    parent = list(range(len(items)))
    sources = [{item.source} for item in items]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in sorted(_candidate_pairs(items, facts)):
        ra, rb = root(a), root(b)
        if ra == rb or sources[ra] & sources[rb]:
            continue  # a group never holds two calls of one source
        if _same(items[a], items[b], facts[a], facts[b]):
            parent[rb] = ra
            sources[ra] |= sources[rb]
    groups: dict[int, list[int]] = {}
    for index in range(len(items)):
        groups.setdefault(root(index), []).append(index)
    out: dict[int, str] = {}
    for members in groups.values():
        if len(members) > 1:
            key = group_key(items[m] for m in members)
            out.update({items[m].id: key for m in members})
    return out
