"""Named crash points: a test-only hook that lets the crash tests kill a real process at a chosen moment.

``FUNDWATCH_CRASH_AT=POINT`` or ``FUNDWATCH_CRASH_AT=POINT:N`` makes the process send itself SIGKILL the
N-th time (default the first) it passes ``crash_point(POINT)``: no ``finally``, no commit, no exception
handler runs, exactly as if the machine lost power or the OOM killer struck. Unset (always, in
production) it costs one environment lookup. The points:

- ``scrape.batch_uncommitted`` (``scrapers/runner.py``): a batch of calls is upserted in its transaction
  but not yet committed;
- ``scrape.after_batch``: a batch of calls was committed (counted over all sources of the process);
- ``scrape.before_regroup``: every source is stored and recorded; the duplicate groups are not yet refreshed;
- ``match.profile_uncommitted`` (``match_run.py``): the matches of that many profiles are replaced in the
  match run's transaction, not yet committed;
- ``match.after_commit``: the match run's transaction is committed;
- ``after_claim``, ``after_smtp_250``, ``after_commit`` (``alerts/delivery.py``): digest delivery (E2).

Nothing but the crash tests (tests/test_crash_*.py, tests/test_digest_crash.py) sets the variable.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections import Counter

log = logging.getLogger(__name__)

CRASH_ENV = "FUNDWATCH_CRASH_AT"
POINTS = (
    "scrape.batch_uncommitted",
    "scrape.after_batch",
    "scrape.before_regroup",
    "match.profile_uncommitted",
    "match.after_commit",
    "after_claim",
    "after_smtp_250",
    "after_commit",
)

_passed: Counter[str] = Counter()
_lock = threading.Lock()


def crash_point(name: str) -> None:
    """SIGKILL this process here if ``FUNDWATCH_CRASH_AT`` names this point (and this is its N-th pass)."""
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    with _lock:
        _passed[name] += 1
        reached = _passed[name] == int(nth or 1)
    if reached:
        log.warning("%s=%s: killing this process (test hook)", CRASH_ENV, wanted)
        os.kill(os.getpid(), signal.SIGKILL)
