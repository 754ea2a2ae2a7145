"""Past digests for the Förvaltning page, read through the digest module's store function when it exists.

The digest ledger (what was sent to whom, and when) is built with the digests; until its
``store.digests.digests_for_profile(session, profile_id)`` exists, the page says that no digests are
recorded yet.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlmodel import Session


def past_digests(session: Session, profile_id: str, limit: int = 20) -> list[Any] | None:
    """The profile's sent digests, newest first; None when digests are not recorded by this version."""
    try:
        module = importlib.import_module("store.digests")
    except ImportError:
        return None
    function = getattr(module, "digests_for_profile", None)
    if function is None:
        return None
    return list(function(session, profile_id))[:limit]
