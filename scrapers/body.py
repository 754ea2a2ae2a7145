"""Reading a response body: streamed, decompressed by us, capped after decompression, within a deadline.

httpx would decompress a whole network chunk at once (a 64 KB gzip bomb chunk can become 64 MB);
we read the raw stream and decompress with ``max_length`` so no more than the cap plus one chunk
is ever held, whatever the compression ratio.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator

import httpx

from errors import SourceError

CHUNK = 64 * 1024
#: content encodings we ask for (Accept-Encoding) and can decode
ACCEPT_ENCODING = "gzip, deflate"


class _Decoder:
    """Incremental gzip/deflate/identity decoder that never produces more than asked for."""

    def __init__(self, encoding: str) -> None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._mode = "identity"
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._mode = encoding
        else:
            raise SourceError("http_error", f"unsupported content encoding {encoding!r}")
        self._obj = self._new()
        self._pending = b""
        self._members = 0

    def _new(self, raw_deflate: bool = False):
        if self._mode == "identity":
            return None
        # 32 + MAX_WBITS: accept a gzip or zlib header; deflate servers sometimes send raw deflate
        return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else 32 + zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> Iterator[bytes]:
        """Decode ``data`` (plus anything held back) in pieces of at most CHUNK * 4 bytes, ``limit`` in all."""
        if self._obj is None:
            yield data
            return
        self._pending += data
        produced = 0
        while self._pending and produced < limit:
            try:
                piece = self._obj.decompress(self._pending, min(limit - produced, CHUNK * 4))
            except zlib.error as exc:
                if self._mode == "deflate" and not self._members and not produced:
                    self._obj = self._new(raw_deflate=True)
                    continue
                if self._members:  # trailing bytes after a complete member: ignore them
                    self._pending = b""
                    break
                raise SourceError("http_error", f"corrupt {self._mode} body: {exc}") from None
            if self._obj.eof:  # a further gzip member may follow
                self._members += 1
                rest = self._obj.unused_data
                self._obj = self._new()
                self._pending = rest
            else:
                self._pending = self._obj.unconsumed_tail
            if piece:
                produced += len(piece)
                yield piece
            elif not self._pending:
                break


def read_body(response: httpx.Response, max_bytes: int, deadline: float, url: str) -> bytes:
    """The decoded body, or SourceError ``too_large`` past ``max_bytes`` / ``timeout`` past ``deadline``.

    ``deadline`` is a ``time.monotonic()`` value.
    """
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "")
    if declared.isdigit() and encoding.strip().lower() in ("", "identity") and int(declared) > max_bytes:
        raise SourceError("too_large", f"{url}: body of {int(declared)} bytes exceeds http.max_bytes={max_bytes}")
    decoder = _Decoder(encoding)
    parts: list[bytes] = []
    size = 0
    try:
        for raw in response.iter_raw():  # as received (a chunk size would buffer up to it)
            if time.monotonic() > deadline:
                raise SourceError("timeout", f"{url}: body not complete within the request deadline")
            for piece in decoder.feed(raw, max_bytes + 1 - size):
                size += len(piece)
                parts.append(piece)
                if size > max_bytes:
                    message = f"{url}: body exceeds http.max_bytes={max_bytes} (after decompression)"
                    raise SourceError("too_large", message)
    except httpx.TimeoutException:
        raise SourceError("timeout", f"{url}: body not complete within the request deadline") from None
    except httpx.TransportError as exc:
        raise SourceError("connection_error", f"{url}: connection broke while reading: {exc}") from None
    return b"".join(parts)
