"""Per-host politeness: at most one request in flight per host, and a minimum delay between them.

A host is the URL's ``host:port``. Every request (including robots.txt, redirect hops and retries)
takes its host's slot; the slot is free again ``min_delay`` seconds after the previous request to
that host finished. Waits asked for by the server (``Retry-After``) or by our retry backoff are set
with ``defer`` and hold back every request to that host, not just the one being retried. Requests
to different hosts do not wait for each other. A source may ask for a longer delay on its hosts
(``min_delay`` in its ``[[sources]]`` entry): ``slow_down`` raises that host's delay for every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def host_key(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


@dataclass
class _Gate:
    lock: threading.Lock = field(default_factory=threading.Lock)
    not_before: float = 0.0
    #: a longer delay a source asked for this host (its ``min_delay``), else 0
    min_delay: float = 0.0


class HostGates:
    """The slots of all hosts, shared by every thread of a scrape."""

    def __init__(
        self,
        min_delay: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_delay = min_delay
        self._clock = clock
        self._sleep = sleep
        self._gates: dict[str, _Gate] = {}
        self._lock = threading.Lock()

    def _gate(self, url: str) -> _Gate:
        key = host_key(url)
        with self._lock:
            return self._gates.setdefault(key, _Gate())

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold ``url``'s host for one request, after waiting out its delay."""
        gate = self._gate(url)
        with gate.lock:
            while (wait := gate.not_before - self._clock()) > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                self._push(gate, max(self.min_delay, gate.min_delay))

    def slow_down(self, url: str, seconds: float) -> None:
        """Keep at least ``seconds`` between requests to ``url``'s host from now on (a gentler source)."""
        gate = self._gate(url)
        with self._lock:
            gate.min_delay = max(gate.min_delay, seconds)

    def defer(self, url: str, seconds: float) -> None:
        """No request to ``url``'s host before ``seconds`` from now."""
        self._push(self._gate(url), seconds)

    def _push(self, gate: _Gate, seconds: float) -> None:
        with self._lock:
            gate.not_before = max(gate.not_before, self._clock() + seconds)
