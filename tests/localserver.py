"""A real HTTP server on loopback for the scraper tests (no mocks): routes, scripted answers, a request log.

Each route is a function ``(handler) -> None`` that writes a raw response with ``handler.reply(...)``
or by hand (for trickles, endless bodies and bombs). Every request is logged with its method, path,
headers and the monotonic times it started and finished, so tests can check retries, conditional
headers, politeness delays and that nothing was ever in flight twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    started: float
    finished: float = 0.0


Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args) -> None:  # keep test output quiet
        pass

    def reply(self, status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        hit = Hit(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
        owner = self.server.owner
        with owner.lock:
            owner.hits.append(hit)
        route = owner.routes.get(self.path.split("?", 1)[0]) or owner.routes.get(self.path)
        try:
            if route is None:
                self.reply(404, b"not found", {"Content-Type": "text/plain"})
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            hit.finished = time.monotonic()

    do_GET = do_POST = do_HEAD = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: LocalServer


@dataclass
class LocalServer:
    host: str = "127.0.0.1"
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> LocalServer:
        self._httpd = _Server((self.host, 0), Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits_for(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path.split("?", 1)[0] == path]

    # --- route helpers ---------------------------------------------------------------

    def static(self, path: str, body: bytes | str, status: int = 200, headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = lambda h: h.reply(status, data, headers)

    def sequence(self, path: str, answers: Iterable[tuple[int, bytes | str, dict[str, str] | None]]) -> None:
        """Answer successive requests with the given (status, body, headers); the last one repeats."""
        queue = list(answers)
        lock = threading.Lock()

        def route(h: Handler) -> None:
            with lock:
                status, body, headers = queue.pop(0) if len(queue) > 1 else queue[0]
            h.reply(status, body.encode("utf-8") if isinstance(body, str) else body, headers)

        self.routes[path] = route
