"""Worker processes keep kept-alive connections evenly spread (web/balance.py)."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.pages import connections_by_process
from web.balance import ConnectionShare

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_over_its_fair_share_sends_one_connection_away_per_pause():
    share = ConnectionShare(2, pause=1.0)
    assert not share.should_close(now=0.0)  # not attached (a single process): never
    mine = list(range(14))
    share.attach(0, mine)
    share._counts[1] = 6  # the sibling's last report
    assert share.should_close(now=10.0)  # 14 of 20: fair is 10
    assert share.counts() == [13, 6]  # the one going away no longer counts
    assert not share.should_close(now=10.5)  # within the pause
    mine.pop()  # the connection has closed
    assert share.should_close(now=11.0)
    del mine[10:]
    share._counts[1] = 10
    assert not share.should_close(now=20.0)  # 10 of 20: even
    share._counts[1] = 9
    mine.append(10)  # 11 of 20: fair is 10 (rounded up)
    assert share.should_close(now=30.0)


def test_an_odd_total_leaves_one_worker_a_connection_more_without_churn():
    share = ConnectionShare(2, pause=0.0)
    share.attach(0, list(range(11)))
    share._counts[1] = 10
    assert not share.should_close(now=1.0)  # 11 of 21: fair is 11


def test_the_counts_are_shared_with_forked_workers():
    share = ConnectionShare(2)
    share._counts[1] = 5
    share.attach(0, list(range(5)))
    assert not share.should_close()
    pid = os.fork()
    if pid == 0:  # the worker reports its connections as an answer starts
        share.attach(1, list(range(3)))
        share.should_close()
        os._exit(0)
    os.waitpid(pid, 0)
    assert share.counts() == [5, 3]


def test_serve_with_two_workers_evens_out_twenty_kept_alive_connections(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "web.db"}"\n', encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "FUNDWATCH_WEB_SECRET": "s" * 40, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(ROOT / "scheduler.py"), "--config", str(config)]
    server = subprocess.Popen(
        [*command, "serve", "--port", "0", "--workers", "2"], stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    clients: list[http.client.HTTPConnection] = []
    try:
        port = None
        deadline = time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            found = re.search(r"web UI listening on http://127\.0\.0\.1:(\d+)", server.stderr.readline())
            port = int(found.group(1)) if found else None
        assert port, "no 'listening' line"
        clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(20)]
        closes, split = 0, []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for client in clients:  # the client reconnects by itself after "Connection: close"
                client.request("GET", "/healthz")
                response = client.getresponse()
                assert response.status == 200 and response.read() == b"ok"
                closes += response.getheader("connection", "") == "close"
            split = sorted(connections_by_process(server.pid, port).values(), reverse=True)
            if sum(split) == 20 and split[0] <= 10:
                break
        assert split == [10, 10], f"connections per worker: {split} after {closes} reconnects"
        for _ in range(3):  # even: nobody is sent away any more
            for client in clients:
                client.request("GET", "/healthz")
                response = client.getresponse()
                response.read()
                assert response.getheader("connection", "") != "close"
    finally:
        for client in clients:
            client.close()
        server.terminate()
        server.wait(timeout=15)
        server.stderr.close()
