"""Record live responses to a folder and replay them with no network.

A recording is a folder with ``index.json`` and one file per response body::

    {"format": "fundwatch-recording/1", "source": "eu-ftp", "recorded_at": "2026-...Z",
     "responses": [{"method": "GET", "url": "https://...", "payload_sha256": "",
                    "status": 200, "headers": {"content-type": "..."}, "body": "0001.json"}]}

Bodies are stored decoded (no content encoding), so they can be read and diffed. ``payload_sha256``
is the SHA-256 of a request body (empty for GET): POST requests with different payloads to one URL
are different entries. Replay (``ReplayTransport``) is an httpx transport under the normal client,
so politeness, caps, redirects, robots.txt and parsing run exactly as they do live. A request that
is not in the recording gets a 404 marked ``x-fundwatch-replay: missing``.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx

from errors import InputFormatError
from scrapers.base import SourceKind

FORMAT = "fundwatch-recording/1"
INDEX = "index.json"
MISSING_HEADER = "x-fundwatch-replay"
#: headers not worth keeping: they describe the transfer (we store decoded bodies) or a session
_DROP = {"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive", "set-cookie"}
_EXTENSIONS = {"json": "json", "xml": "xml", "rss": "xml", "atom": "xml", "html": "html", "plain": "txt"}


def request_key(method: str, url: str, payload: bytes) -> tuple[str, str, str]:
    return method.upper(), url, hashlib.sha256(payload).hexdigest() if payload else ""


def _extension(content_type: str) -> str:
    for word, ext in _EXTENSIONS.items():
        if word in content_type.lower():
            return ext
    return "bin"


class Recorder:
    """Saves every response (and redirect hop) the fetcher sees into ``folder``."""

    def __init__(self, folder: str | Path, source: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.source = source
        self._entries: dict[tuple[str, str, str], dict] = {}
        self._count = 0
        self._lock = threading.Lock()

    def save(self, request: httpx.Request, status: int, headers: httpx.Headers, body: bytes) -> None:
        key = request_key(request.method, str(request.url), request.read())
        kept = {k.lower(): v for k, v in headers.items() if k.lower() not in _DROP}
        with self._lock:
            self._count += 1
            name = f"{self._count:04d}.{_extension(kept.get('content-type', ''))}"
            (self.folder / name).write_bytes(body)
            self._entries[key] = {
                "method": key[0],
                "url": key[1],
                "payload_sha256": key[2],
                "status": status,
                "headers": kept,
                "body": name,
            }
            self._write_index()

    @property
    def count(self) -> int:
        return len(self._entries)

    def _write_index(self) -> None:
        index = {
            "format": FORMAT,
            "source": self.source,
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "responses": list(self._entries.values()),
        }
        tmp = self.folder / (INDEX + ".tmp")
        tmp.write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.folder / INDEX)


def _index_files(folder: Path) -> list[Path]:
    if (folder / INDEX).is_file():
        return [folder / INDEX]
    return sorted(p for p in folder.glob(f"*/{INDEX}") if p.is_file())


def _recorded_at(value: object) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def load_recordings(folder: str | Path) -> tuple[dict[tuple[str, str, str], dict], dict[str, datetime | None]]:
    """Every recorded response under ``folder`` (its index.json or its subfolders'), and the sources recorded
    there with when (``recorded_at``; None when the index does not say)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputFormatError(f"{root}: recording folder not found")
    files = _index_files(root)
    if not files:
        raise InputFormatError(f"{root}: no {INDEX} here or in a subfolder (make one with `fundwatch record`)")
    entries: dict[tuple[str, str, str], dict] = {}
    sources: dict[str, datetime | None] = {}
    for path in files:
        try:
            index = json.loads(path.read_text(encoding="utf-8"))
            if index.get("format") != FORMAT:
                raise ValueError(f"format is {index.get('format')!r}, expected {FORMAT!r}")
            for number, item in enumerate(index["responses"], start=1):
                body = path.parent / item["body"]
                if not body.is_file():
                    raise ValueError(f"response {number}: body file {item['body']!r} is missing")
                entry = dict(item, body_path=str(body), status=int(item["status"]))
                entries[(str(item["method"]).upper(), str(item["url"]), str(item.get("payload_sha256", "")))] = entry
            if index.get("source"):
                when = _recorded_at(index.get("recorded_at"))
                earlier = sources.get(str(index["source"]))
                sources[str(index["source"])] = max(earlier, when) if earlier and when else (when or earlier)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputFormatError(f"{path}: not a usable recording: {exc}") from None
    return entries, sources


class ReplayTransport(httpx.BaseTransport):
    """Answers requests from a recording folder; nothing touches the network.

    ``misses`` lists the requests the recording had no answer for (robots.txt aside).
    """

    def __init__(self, folder: str | Path) -> None:
        self.entries, self.sources = load_recordings(folder)
        self.misses: list[str] = []

    def as_recorded(self, kinds: list[SourceKind]) -> None:
        """Let each kind ask as it did on its recording's day (URLs that name a date, e.g. Vinnova's, match)."""
        for kind in kinds:
            when = self.sources.get(kind.source)
            if when is not None:
                kind.today = when.date()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        key = request_key(request.method, str(request.url), request.read())
        entry = self.entries.get(key)
        if entry is None:
            if not str(request.url).endswith("/robots.txt"):
                self.misses.append(f"{request.method} {request.url}")
            body = b"not in the recording"
            headers = {MISSING_HEADER: "missing", "content-type": "text/plain", "content-length": str(len(body))}
            return httpx.Response(404, headers=headers, stream=_Body(body), request=request)
        body = Path(entry["body_path"]).read_bytes()
        headers = {**entry["headers"], "content-length": str(len(body))}
        return httpx.Response(entry["status"], headers=headers, stream=_Body(body), request=request)


class _Body(httpx.SyncByteStream):
    """A recorded body served as a stream, so the fetcher reads it the same way as a live one."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __iter__(self):
        for start in range(0, len(self._body), 65536):
            yield self._body[start : start + 65536]


def default_folder(var_dir: Path, source: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return var_dir / "recordings" / re.sub(r"[^a-z0-9_-]", "_", source) / stamp
