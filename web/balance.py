"""Keeping kept-alive connections evenly spread over the web server's worker processes.

Each worker has its own listening socket on the port (:func:`web.server.bind_workers`), and the kernel hands
each new connection to one of them by a hash of the connection's addresses: 20 connections may split 14/6.
Kept-alive connections (browsers, a reverse proxy's pool of upstream connections) stay where they landed, so
the busier process's requests queue while its sibling has time to spare. Under load with 20 clients, that
split decided whether the slowest page stayed under 200 ms.

So the workers share a small table of how many connections each one holds. A worker that holds more than its
fair share (all connections divided by the number of workers, rounded up) asks one client to reconnect: its
next answer says ``Connection: close``, and the connection closes once that answer is sent (never in the
middle of one; browsers, proxies and HTTP libraries simply open a new connection for their next request). The
kernel hashes the new connection afresh, so about half of them land on a sibling. A worker sends at most one
connection away per :data:`PAUSE`, so the counts settle instead of swinging, and once they are even nothing
is closed at all.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sized

#: a worker asks at most one client per this many seconds to reconnect
PAUSE = 0.05


class ConnectionShare:
    """The connection counts of all workers, in memory they share (create it before the workers fork)."""

    def __init__(self, workers: int, pause: float = PAUSE) -> None:
        self.workers = workers
        self.pause = pause
        self._counts = multiprocessing.RawArray("i", workers)
        self._slot = 0
        self._connections: Sized | None = None
        self._last_close = float("-inf")

    def attach(self, slot: int, connections: Sized) -> None:
        """In a worker: its place in the table and its live set of open connections."""
        self._slot = slot
        self._connections = connections

    def counts(self) -> list[int]:
        """Each worker's open connections, as last reported by that worker."""
        return list(self._counts)

    def should_close(self, now: float | None = None) -> bool:
        """Called as an answer starts: report this worker's connections, and say whether the connection this
        answer goes out on should close after it (this worker holds more than its fair share)."""
        if self._connections is None:
            return False
        mine = len(self._connections)
        self._counts[self._slot] = mine
        fair = -(-sum(self._counts) // self.workers)
        now = time.monotonic() if now is None else now
        if mine <= fair or now - self._last_close < self.pause:
            return False
        self._last_close = now
        self._counts[self._slot] = mine - 1  # the one going away
        return True
