"""The strategy lines a digest shows per call (partner hints, Agenda 2030 goals, children and youth), read from
the store and KLK's relations file; the lines themselves come from ``strategy.summary`` (pure)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from errors import ConfigError
from store.strategy import tags_for_calls
from strategy.partners import partner_hints
from strategy.relations import cached_relations, load_programme_areas
from strategy.summary import strategy_lines

log = logging.getLogger(__name__)


def strategy_lines_for(session, settings, calls: Iterable[Any]) -> dict[int, tuple[str, ...]]:
    """call id -> its strategy lines (calls with nothing to say are left out). A relations file that cannot be
    read leaves out the partner line (logged), never the digest."""
    calls = {c.id: c for c in calls}
    tags = tags_for_calls(session, calls)
    try:
        relations = cached_relations(settings.path(settings.paths.relations_file))
    except ConfigError as exc:
        log.warning("digest without partner hints: %s", exc)
        relations = None
    areas = load_programme_areas()
    out: dict[int, tuple[str, ...]] = {}
    for call_id, call in calls.items():
        hints = partner_hints(call, relations, areas) if relations is not None else None
        lines = strategy_lines(hints, tags.get(call_id, {}))
        if lines:
            out[call_id] = lines
    return out
