"""fundwatch's one HTTP client factory and fetch function: the only place that talks to the network.

``make_client`` builds the httpx client every request goes through (explicit timeouts, an
identifying User-Agent, no automatic redirects, no proxy from the environment). ``Fetcher.fetch``
makes one logical request for a source and either returns a ``Fetched`` or raises
``errors.SourceError`` with a reason code:

``timeout``, ``http_error``, ``too_large``, ``blocked``, ``robots_disallowed``, ``robots_unavailable``,
``refused_address``, ``connection_error``.

What it guarantees: redirects are followed by hand (at most ``http.max_redirects``), each hop's URL
checked (scheme, address, robots.txt) before it is fetched; connection errors, 429 and 5xx are
retried ``http.retries`` times with exponential backoff or the server's ``Retry-After`` (never longer
than ``http.max_retry_wait``); every hop waits for its host's politeness slot; the body is streamed,
decompressed by us and capped at ``http.max_bytes`` after decompression, and every attempt ends by
``http.deadline`` seconds; GETs can be made conditional (ETag / Last-Modified) and a 304 comes back
as ``not_modified`` with no body. After a failure one ERROR line names source, attempts and reason.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urljoin

import httpx

from errors import SourceError
from scrapers.addresses import AddressPolicy
from scrapers.base import Request, Response
from scrapers.body import ACCEPT_ENCODING, read_body
from scrapers.politeness import HostGates
from scrapers.robots import MAX_BYTES as ROBOTS_MAX_BYTES
from scrapers.robots import RobotsCache
from scrapers.transport import GuardedTransport, deadline_scope
from settings import HttpSettings

log = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)
_CHALLENGE = re.compile(rb"<title>\s*(just a moment|attention required|checking your browser)", re.IGNORECASE)
_PEEK = 64 * 1024


def user_agent(http: HttpSettings) -> str:
    return http.user_agent.replace("{contact}", http.contact)


def make_client(http: HttpSettings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The one httpx client factory: timeouts, User-Agent, manual redirects, guarded transport."""
    policy = AddressPolicy.from_settings(http.allow_private_addresses, http.allowed_networks)
    return httpx.Client(
        timeout=httpx.Timeout(
            connect=http.connect_timeout, read=http.read_timeout, write=http.read_timeout, pool=http.connect_timeout
        ),
        headers={"User-Agent": user_agent(http), "Accept-Encoding": ACCEPT_ENCODING, "Accept": "*/*"},
        follow_redirects=False,
        trust_env=False,
        transport=transport or GuardedTransport(policy),
    )


@dataclass(frozen=True)
class Validators:
    """What a server said about a URL's version: sent back to make the next GET conditional."""

    etag: str = ""
    last_modified: str = ""

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass
class Fetched:
    """A fetch's outcome: the response (None for a 304), how many attempts it took, new validators."""

    response: Response | None
    status: int
    attempts: int
    validators: Validators = Validators()

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Recorder(Protocol):
    def save(self, request: httpx.Request, status: int, headers: httpx.Headers, body: bytes) -> None: ...


class _Retry(Exception):
    def __init__(self, reason: str, message: str, url: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.reason, self.url, self.wait = reason, url, wait


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def is_blocked(status: int, headers: httpx.Headers, body: bytes) -> bool:
    """A bot wall: Cloudflare's 403, any response marked as a challenge, or a "Just a moment..." page."""
    cloudflare = "cloudflare" in headers.get("server", "").lower() or "cf-ray" in headers
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    if status == 403 and cloudflare:
        return True
    return status in (200, 403, 429, 503) and bool(_CHALLENGE.search(body[:_PEEK]))


def _payload_boundary(files: tuple) -> str:
    digest = hashlib.sha256(repr(files).encode("utf-8", "backslashreplace")).hexdigest()[:24]
    return f"fundwatch-{digest}"


class Fetcher:
    """Fetches for all sources of a scrape; share one per run so politeness and robots.txt hold across sources."""

    def __init__(
        self,
        http: HttpSettings,
        transport: httpx.BaseTransport | None = None,
        recorder: Recorder | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.policy = AddressPolicy.from_settings(http.allow_private_addresses, http.allowed_networks)
        self.client = make_client(http, transport)
        self.gates = HostGates(http.min_delay, clock=clock)
        self.recorder = recorder
        agent = user_agent(http).split("/", 1)[0].split()[0] or "fundwatch"
        self.robots = RobotsCache(self._fetch_robots, agent, clock=clock) if http.respect_robots else None

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- public ------------------------------------------------------------------------

    def fetch(
        self, request: Request, source: str, validators: Validators | None = None, min_delay: float | None = None
    ) -> Fetched:
        """One request for ``source``, with redirects, retries, politeness, caps and robots.txt; ``min_delay``
        (the source's own, when longer than ``http.min_delay``) spaces requests to this host further apart."""
        if min_delay:
            self.gates.slow_down(request.url, min_delay)
        return self._with_retries(request, source, validators, quiet=False, max_bytes=self.http.max_bytes)

    # --- internals ---------------------------------------------------------------------

    def _fetch_robots(self, url: str, source: str) -> tuple[int, bytes]:
        fetched = self._with_retries(Request(url), source, None, quiet=True, max_bytes=ROBOTS_MAX_BYTES, robots=True)
        return fetched.status, fetched.response.body if fetched.response else b""

    def _with_retries(
        self,
        request: Request,
        source: str,
        validators: Validators | None,
        quiet: bool,
        max_bytes: int,
        robots: bool = False,
    ) -> Fetched:
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._follow(request, source, validators, attempt, max_bytes, robots)
            except _Retry as retry:
                if retry.wait is None:  # our own backoff, never longer than max_retry_wait
                    wait = min(self.http.backoff * 2 ** (attempt - 1), self.http.max_retry_wait)
                else:
                    wait = retry.wait
                too_long = wait > self.http.max_retry_wait
                if attempt <= self.http.retries and not too_long:
                    log.info("source %s: %s; retry %d in %.1f s", source, retry, attempt, wait)
                    self.gates.defer(retry.url, wait)
                    continue
                message = str(retry)
                if too_long:
                    message += f" (server asked to wait {wait:.0f} s, more than http.max_retry_wait)"
                error = SourceError(retry.reason, message)
            except SourceError as exc:
                error = exc
            if not quiet:
                log.error(
                    "source %s: %s %s failed after %d attempt(s): reason=%s: %s",
                    source,
                    request.method,
                    request.url,
                    attempt,
                    error.reason,
                    error,
                )
            raise error

    def _build(self, request: Request, url: str, method: str, with_body: bool, validators: Validators | None):
        headers = dict(request.headers)
        if validators and method == "GET":
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        files = None
        if with_body and request.files:
            files = [(name, part) for name, part in request.files]
            headers["Content-Type"] = f"multipart/form-data; boundary={_payload_boundary(request.files)}"
        try:
            return self.client.build_request(method, url, headers=headers, files=files)
        except httpx.InvalidURL as exc:
            raise SourceError("refused_address", f"invalid URL {url!r}: {exc}") from None

    def _follow(
        self, request: Request, source: str, validators: Validators | None, attempt: int, max_bytes: int, robots: bool
    ) -> Fetched:
        url, method, with_body = request.url, request.method.upper(), True
        for hop in range(self.http.max_redirects + 1):
            self.policy.check_url(url)
            if self.robots is not None and not robots:
                self.robots.check(url, source)
            hop_validators = validators if hop == 0 else None
            outgoing = self._build(request, url, method, with_body, hop_validators)
            with self.gates.slot(url):
                deadline = time.monotonic() + self.http.deadline
                with deadline_scope(deadline):
                    result = self._one_hop(outgoing, url, hop_validators, attempt, max_bytes, deadline, robots)
            if isinstance(result, Fetched):
                return result
            status, location = result
            url = urljoin(url, location)
            if status == 303 or (status in (301, 302) and method == "POST"):
                method, with_body = "GET", False
        raise SourceError("http_error", f"{request.url}: more than http.max_redirects={self.http.max_redirects}")

    def _one_hop(
        self,
        outgoing: httpx.Request,
        url: str,
        validators: Validators | None,
        attempt: int,
        max_bytes: int,
        deadline: float,
        robots: bool,
    ) -> Fetched | tuple[int, str]:
        try:
            response = self.client.send(outgoing, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise _Retry("connection_error", f"{url}: connection failed: {exc}", url) from None
        except httpx.TimeoutException:
            raise SourceError("timeout", f"{url}: no response within the time limits") from None
        except httpx.TransportError as exc:
            raise _Retry("connection_error", f"{url}: {type(exc).__name__}: {exc}", url) from None
        try:
            status, headers = response.status_code, response.headers
            if 200 <= status < 300:
                body = read_body(response, max_bytes, deadline, url)
                self._record(outgoing, response, body)
                if is_blocked(status, headers, body):
                    raise SourceError("blocked", f"{url}: a bot-protection challenge page (HTTP {status})")
                found = Validators(headers.get("etag", ""), headers.get("last-modified", ""))
                return Fetched(Response(str(response.url), status, dict(headers), body), status, attempt, found)
            if status == 304 and validators:
                self._record(outgoing, response, b"")
                return Fetched(None, 304, attempt, validators)
            if status in REDIRECTS and headers.get("location"):
                self._record(outgoing, response, b"")
                return status, headers["location"]
            body = self._peek(response, deadline, url)
            self._record(outgoing, response, body)
            if is_blocked(status, headers, body):
                raise SourceError("blocked", f"{url}: blocked by bot protection (HTTP {status})")
            if status == 429 or status >= 500:
                wait = retry_after_seconds(headers.get("retry-after"))
                raise _Retry("http_error", f"{url}: HTTP {status}", url, wait)
            if robots and 400 <= status < 500:
                return Fetched(Response(str(response.url), status, dict(headers), body), status, attempt)
            missing = " (not in the recording)" if headers.get("x-fundwatch-replay") == "missing" else ""
            raise SourceError("http_error", f"{url}: HTTP {status}{missing}")
        finally:
            response.close()

    def _peek(self, response: httpx.Response, deadline: float, url: str) -> bytes:
        """The start of an error page (to spot challenge pages), never more than 64 KB."""
        try:
            return read_body(response, _PEEK, deadline, url)
        except SourceError:
            return b""

    def _record(self, outgoing: httpx.Request, response: httpx.Response, body: bytes) -> None:
        if self.recorder is not None:
            self.recorder.save(outgoing, response.status_code, response.headers, body)
