"""Running the web UI with uvicorn on an address and port (0 picks a free port, which is logged)."""

from __future__ import annotations

import logging
import os
import signal
import socket

import uvicorn
from sqlalchemy.engine import Engine

from errors import ConfigError
from settings import Settings
from web.app import create_app
from web.balance import ConnectionShare

log = logging.getLogger(__name__)


def bind(host: str, port: int, share: bool = False) -> socket.socket:
    """A listening socket on host:port (IPv4 or IPv6); a clear error when the address is taken. ``share``
    sets SO_REUSEPORT, so that sibling sockets (:func:`bind_workers`) can listen on the same port."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(f"web host {host!r}: {exc.strerror}") from None
    family, kind, _proto, _name, address = infos[0]
    # name TCP explicitly: asyncio sets TCP_NODELAY only when the socket's proto says TCP; without it every
    # reply on a kept-alive connection waits ~40 ms for the client's delayed ACK (Nagle)
    sock = socket.socket(family, kind, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if share:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def bind_workers(host: str, port: int, workers: int) -> list[socket.socket]:
    """One listening socket per worker process, all on the same address (SO_REUSEPORT, where the system has it):
    the kernel spreads new connections over them by a hash of each connection's addresses (even on average,
    not exactly: 20 connections split anywhere from 10/10 to about 14/6).

    With one shared socket, whichever process wakes first accepts a whole burst of connections, and kept-alive
    connections (browsers, a reverse proxy's upstream pool) stay where they were accepted: 20 clients ended up
    17 on one process and 3 on the other, which then idled while its sibling's queue grew.
    """
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        return [bind(host, port)]
    # a plain socket first: it fails clearly when anything listens there (a second fundwatch included, which
    # would otherwise join the group) and picks the free port when ``port`` is 0
    probe = bind(host, port)
    address = probe.getsockname()
    probe.close()
    return [bind(address[0], address[1], share=True) for _ in range(workers)]


def serve(settings: Settings, engine: Engine, host: str, port: int, workers: int = 1) -> int:
    """Serve until stopped. With ``workers`` > 1 that many processes serve (forked after binding, each with
    its own listening socket on the same port, see :func:`bind_workers`, and its own database connections; they
    keep kept-alive connections evenly spread, see web/balance.py). The login rate limit counts the audit
    trail's failed logins, so it holds across the processes; only small caches are per process."""
    app = create_app(settings, engine)
    sockets = bind_workers(host, port, max(workers, 1))
    # several sockets: the workers keep their kept-alive connections evenly spread (web/balance.py)
    share = ConnectionShare(len(sockets)) if len(sockets) > 1 else None
    app.state.web.balance = share
    bound_host, bound_port = sockets[0].getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    log.info("web UI listening on http://%s:%d (%d worker process%s)", shown, bound_port, workers, "es" * (workers > 1))
    children: list[int] = []
    for number in range(1, max(workers, 1)):
        own = sockets[number] if len(sockets) > 1 else sockets[0]
        pid = os.fork()
        if pid == 0:  # a worker: ends with the first process, opens its own connections, serves
            _die_with_parent()
            engine.dispose(close=False)
            for other in sockets:  # a sibling's socket left open here would keep its connections waiting
                if other is not own:
                    other.close()
            _run(app, own, share, number)
            os._exit(0)
        children.append(pid)
    for other in sockets[1:]:
        other.close()
    try:
        _run(app, sockets[0], share, 0)
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
    return 0


def _die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent ends (uvicorn re-raises the signal that stopped
    the first process, so its own clean-up may not run)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        log.warning("cannot tie worker %d to its parent; stop it with the parent's process group", os.getpid())
    if os.getppid() == 1:  # the parent is already gone
        os._exit(0)


def _run(app, sock: socket.socket, share: ConnectionShare | None = None, slot: int = 0) -> None:
    # loop and http "auto" (the defaults) pick uvloop and httptools, installed with fundwatch
    config = uvicorn.Config(app, log_config=None, access_log=False, proxy_headers=False, server_header=False)
    server = uvicorn.Server(config)
    if share is not None:  # uvicorn's set of this process's open connections
        share.attach(slot, server.server_state.connections)
    server.run(sockets=[sock])
