"""The contract every source kind fulfils: requests out, pure parsing of response bytes in.

A source kind is a class in its own module under ``scrapers/kinds/`` with a unique ``name``
(the ``kind`` used in config.toml) and a ``description``. The runner asks it for its first
requests, fetches them through the shared HTTP client, and hands each response's bytes to
``parse``, which returns call records and follow-up requests (e.g. detail pages). ``parse``
does no I/O: the same bytes always give the same result, which is what makes recorded
responses (``fundwatch record`` / ``scrape --replay``) and fixture tests possible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel

from settings import SourceSettings
from store.records import CallRecord


@dataclass(frozen=True)
class Request:
    """One HTTP request a source wants made. ``files`` are multipart parts: name -> (filename, bytes, type)."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    files: tuple[tuple[str, tuple[str, bytes, str]], ...] = ()
    #: what this request is for, passed back to ``parse`` (e.g. "listing", "detail")
    role: str = "listing"
    #: free data the kind needs to parse the answer (e.g. the listing record a detail page completes)
    context: tuple[tuple[str, Any], ...] = ()

    def ctx(self) -> dict[str, Any]:
        return dict(self.context)


@dataclass
class Response:
    """A fetched response as ``parse`` sees it: final URL, status, headers (lower-case keys) and raw bytes."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class ParseResult:
    records: list[CallRecord] = field(default_factory=list)
    follow: list[Request] = field(default_factory=list)
    #: True when ``records`` is the source's complete listing (calls missing from it become "not listed")
    complete_listing: bool = False
    #: human-readable notes about skipped items (counted as parse errors, never fatal)
    warnings: list[str] = field(default_factory=list)


class SourceKind:
    """Base class of source kinds. Subclasses set ``name`` and ``description`` and implement both methods.

    A kind may set ``Options`` to a pydantic model of its extra ``[[sources]]`` keys (use
    ``scrapers.addresses.SourceUrl`` for URLs); the registry validates each entry against it and
    then sets ``options`` (a dict, defaults filled in) and ``opts`` (the model instance).
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    Options: ClassVar[type[BaseModel] | None] = None

    def __init__(self, config: SourceSettings) -> None:
        self.config = config
        self.options: dict[str, Any] = dict(config.model_extra or {})
        self.opts: BaseModel | None = None
        #: the day the source is asked about (None: today); a replay sets its recording's day
        self.today: date | None = None

    @property
    def source(self) -> str:
        """The configured source's name (what CallRecord.source holds)."""
        return self.config.name

    def start_requests(self) -> list[Request]:
        raise NotImplementedError

    def parse(self, request: Request, response: Response) -> ParseResult:
        raise NotImplementedError
