"""robots.txt, fetched with the same client (and politeness, caps, address checks) as everything else.

Rules (RFC 9309): 200 → the file's rules; any 4xx (e.g. 404) → everything allowed; 5xx (after
retries) → the site is unavailable to us for now, and the source's run is skipped with the reason
``robots_unavailable`` (failures are not cached, so the next run asks again). When the host cannot be
reached at all, that failure (``connection_error``, ``timeout``) is reported as it is. A fetched answer is
kept for at most ``ttl`` seconds (24 hours).
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from errors import SourceError

TTL = 24 * 3600.0
#: failures that mean the whole site is unreachable (or walled off); reported as they are
UNREACHABLE = ("connection_error", "timeout", "refused_address", "blocked")
#: robots.txt files larger than this are refused as unavailable (RFC 9309 asks for at least 500 KiB)
MAX_BYTES = 512 * 1024


@dataclass
class _Entry:
    parser: urllib.robotparser.RobotFileParser | None  # None: everything allowed
    fetched_at: float


#: fetch(robots_url, source) -> (status, body); raises SourceError when there is no answer
RobotsFetch = Callable[[str, str], tuple[int, bytes]]


class RobotsCache:
    def __init__(
        self, fetch: RobotsFetch, agent: str, ttl: float = TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._fetch = fetch
        self.agent = agent
        self._ttl = min(ttl, TTL)
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @staticmethod
    def robots_url(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/robots.txt"

    def check(self, url: str, source: str) -> None:
        """Raise ``robots_disallowed`` or ``robots_unavailable`` unless ``url`` may be fetched."""
        robots = self.robots_url(url)
        if url == robots:
            return
        entry = self._entry(robots, source)
        if entry.parser is not None and not entry.parser.can_fetch(self.agent, url):
            raise SourceError("robots_disallowed", f"{url} is disallowed for {self.agent!r} by {robots}")

    def _entry(self, robots: str, source: str) -> _Entry:
        with self._lock:
            lock = self._locks.setdefault(robots, threading.Lock())
        with lock:  # one fetch per origin even when several threads ask at once
            entry = self._entries.get(robots)
            if entry is not None and self._clock() - entry.fetched_at < self._ttl:
                return entry
            entry = _Entry(self._load(robots, source), self._clock())
            self._entries[robots] = entry
            return entry

    def _load(self, robots: str, source: str) -> urllib.robotparser.RobotFileParser | None:
        try:
            status, body = self._fetch(robots, source)
        except SourceError as exc:
            if exc.reason in UNREACHABLE:  # the site itself is unreachable: say so, not "robots"
                raise
            raise SourceError("robots_unavailable", f"{robots} could not be fetched ({exc.reason}): {exc}") from None
        if 400 <= status < 500:
            return None
        if status >= 500 or status < 200 or status >= 300:
            raise SourceError("robots_unavailable", f"{robots} answered HTTP {status}; the source is skipped")
        parser = urllib.robotparser.RobotFileParser(robots)
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        return parser
