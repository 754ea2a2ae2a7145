"""The exceptions fundwatch's library code raises.

Library code (scrapers, matcher, store, alerts) raises only these; the CLI in
``scheduler.py`` and the web layer turn them into exit codes and pages::

    FundwatchError                 base class; never raised directly
    ├── ConfigError                config.toml, an environment variable or a flag is invalid
    ├── ProfileError               a profiles/*.toml file does not validate (names file, line, field)
    ├── InputFormatError           bulk input (JSON Lines, CSV) is malformed (names the line)
    ├── DatabaseError              the database cannot be reached or its schema cannot be migrated
    ├── SourceError                a source could not be fetched or parsed (carries a reason code)
    └── DeliveryError              an email could not be delivered (temporary or permanent)
"""

from __future__ import annotations


class FundwatchError(Exception):
    """Base class of every error fundwatch raises on purpose."""

    #: process exit code the CLI uses for this kind of error
    exit_code = 1


class ConfigError(FundwatchError):
    """Raised at start when config.toml, a ``FUNDWATCH_*`` variable or a flag is invalid."""

    exit_code = 2


class ProfileError(FundwatchError):
    """Raised when a profile file does not validate; the message names file, line and field."""

    exit_code = 2


class InputFormatError(FundwatchError):
    """Raised when bulk input (JSON Lines import) is malformed; the message names the line."""

    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class DatabaseError(FundwatchError):
    """Raised when the database cannot be reached, opened or migrated."""


class SourceError(FundwatchError):
    """Raised when a source fails; ``reason`` is a short code such as ``timeout`` or ``http_error``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class DeliveryError(FundwatchError):
    """Raised when a message cannot be delivered; ``permanent`` tells whether a retry can help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
