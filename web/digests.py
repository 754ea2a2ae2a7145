"""Past digests for the Förvaltning page, read through the digest module's store function when it exists.

The digest ledger (what was sent to whom, and when) is built with the digests; until
``store.digests.digests_for_profile(session, profile_id)`` exists and its table is migrated, the page
says that no digests are recorded yet.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from store.engine import read_session

log = logging.getLogger(__name__)
_warned = False


def past_digests(engine: Engine, profile_id: str, limit: int = 20) -> list[Any] | None:
    """The profile's sent digests, newest first; None when this version records no digests."""
    try:
        module = importlib.import_module("store.digests")
    except ImportError:
        return None
    function = getattr(module, "digests_for_profile", None)
    if function is None:
        return None
    try:
        # a session of its own: a missing table must not spoil the page's other queries (PostgreSQL)
        with read_session(engine) as session:
            return list(function(session, profile_id))[:limit]
    except SQLAlchemyError as exc:
        global _warned
        if not _warned:
            log.warning("past digests are not readable yet (%s); showing none", str(exc).splitlines()[0])
            _warned = True
        return None
