"""Running the web UI with uvicorn on an address and port (0 picks a free port, which is logged)."""

from __future__ import annotations

import logging
import socket

import uvicorn
from sqlalchemy.engine import Engine

from errors import ConfigError
from settings import Settings
from web.app import create_app

log = logging.getLogger(__name__)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (IPv4 or IPv6); a clear error when the address is taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(f"web host {host!r}: {exc.strerror}") from None
    family, kind, _proto, _name, address = infos[0]
    # name TCP explicitly: asyncio sets TCP_NODELAY only when the socket's proto says TCP; without it every
    # reply on a kept-alive connection waits ~40 ms for the client's delayed ACK (Nagle)
    sock = socket.socket(family, kind, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(settings: Settings, engine: Engine, host: str, port: int) -> int:
    app = create_app(settings, engine)
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    log.info("web UI listening on http://%s:%d", shown, bound_port)
    config = uvicorn.Config(app, log_config=None, access_log=False, proxy_headers=False, server_header=False)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0
