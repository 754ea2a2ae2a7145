"""Helpers for the scraper tests: fast, loopback-friendly settings and a registry of the test kinds."""

from __future__ import annotations

from typing import Any

from scrapers.registry import Registry
from settings import HttpSettings, Settings
from tests.kinds_for_tests.listing import BuggyKind, ListKind

#: small delays and limits so the tests stay fast; loopback allowed (the servers live there)
FAST_HTTP: dict[str, Any] = {
    "allow_private_addresses": True,
    "min_delay": 0.05,
    "deadline": 2.0,
    "connect_timeout": 1.0,
    "read_timeout": 1.0,
    "backoff": 0.05,
    "retries": 3,
    "max_retry_wait": 5.0,
}


def fast_http(**overrides: Any) -> HttpSettings:
    return HttpSettings(**{**FAST_HTTP, **overrides})


def make_settings(
    sources: list[dict[str, Any]] | None = None, http: dict[str, Any] | None = None, **sections
) -> Settings:
    data = {"http": {**FAST_HTTP, **(http or {})}, "sources": sources or [], **sections}
    return Settings.model_validate(data)


def kinds_registry() -> Registry:
    return Registry([ListKind, BuggyKind])
