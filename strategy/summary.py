"""Short Swedish lines about a call's strategy fit, for the digest and the call page. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from strategy.partners import PartnerHints
from strategy.sdg import CHILD_YOUTH


def goals_of(tags: Iterable[str]) -> list[int]:
    """The SDG numbers among a call's stored tags ("sdg6" -> 6), in order (``tags``: the names, or a mapping from
    them)."""
    return sorted(int(tag[3:]) for tag in tags if tag.startswith("sdg") and tag[3:].isdigit())


def strategy_lines(hints: PartnerHints | None, tags: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """E.g. ("Partner: Gdańsk, Wismar kan delta (Interreg Södra Östersjön)", "Agenda 2030: mål 6, 14",
    "Målgrupp: barn och unga"); empty when there is nothing to say."""
    lines: list[str] = []
    if hints is not None:
        lines.append(hints.summary())
    goals = goals_of(tags)
    if goals:
        lines.append("Agenda 2030: mål " + ", ".join(str(g) for g in goals))
    if tags.get(CHILD_YOUTH):
        lines.append("Målgrupp: barn och unga")
    return tuple(lines)
