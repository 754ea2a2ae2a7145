"""The call page's "Strategi" section: partner hints, Agenda 2030 goals and the child/youth tag of one call."""

from __future__ import annotations

import logging
import threading
from typing import Any

from errors import ConfigError
from store.strategy import tag_fingerprint, tags_for_calls
from strategy.countries import country_sv
from strategy.partners import partner_hints
from strategy.relations import cached_relations, load_programme_areas
from strategy.sdg import CHILD_YOUTH, Tagger, fingerprint, load_sdg_terms
from strategy.summary import goals_of
from web.app import WebState

log = logging.getLogger(__name__)
_lock = threading.Lock()


def tagger(web: WebState) -> Tagger:
    """One tagger per process (it caches word results)."""
    with _lock:
        found = web.cache.get("sdg_tagger")
        if found is None:
            found = web.cache["sdg_tagger"] = Tagger()
        return found


def relations_or_error(web: WebState):
    """(relations, None), or (None, a Swedish message) when KLK's relations file cannot be read."""
    path = web.settings.path(web.settings.paths.relations_file)
    try:
        return cached_relations(path), None
    except ConfigError as exc:
        log.error("partner hints unavailable: %s", exc)
        return None, f"Relationsfilen kunde inte läsas: {exc}"


def call_tags(web: WebState, db, call) -> tuple[dict[str, list[str]], bool]:
    """The call's tags: the stored ones when they are current, else computed now (second value True)."""
    current = tagger(web)
    if tag_fingerprint(db, call.id) == fingerprint(call.content_hash, current.version):
        return tags_for_calls(db, [call.id]).get(call.id, {}), False
    return current.tag(call).as_rows(), True


def strategy_context(web: WebState, db, call) -> dict[str, Any]:
    """What the call page's strategy section shows."""
    tags, computed_now = call_tags(web, db, call)
    names = load_sdg_terms()
    relations, relations_error = relations_or_error(web)
    hints = partner_hints(call, relations, load_programme_areas()) if relations is not None else None
    return {
        "country_sv": country_sv,
        "strategy": {
            "hints": hints,
            "relations_error": relations_error,
            "goals": [(n, names.goal_name(n), tags.get(f"sdg{n}", [])) for n in goals_of(tags)],
            "child_youth": tags.get(CHILD_YOUTH, []),
            "computed_now": computed_now,
        },
    }
