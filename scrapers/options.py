"""Per-source options: each kind's ``Options`` model validates the extra keys of its ``[[sources]]`` entry.

Options common to every kind live in :class:`KindOptions`; a kind subclasses it. Unknown keys, wrong types
and bad values (an unknown time zone, a CSS selector that does not parse, a non-http(s) URL) are refused
with a :class:`errors.ConfigError` naming the source and the key.
"""

from __future__ import annotations

import re
from typing import Annotated, TypeVar

import soupsieve
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from errors import ConfigError
from scrapers.dates import DateError, zone_of
from settings import SourceSettings


class KindOptions(BaseModel):
    """Options every source kind understands."""

    model_config = ConfigDict(extra="forbid")

    funder: str = Field("", description="Who funds the calls (shown to users), e.g. `Tillväxtverket`.")
    programme: str = Field("", description="Programme name used when an item names none.")
    language: str = Field("", description="Language of the texts (`sv`, `en`).")
    timezone: str = Field(
        "Europe/Stockholm", description="IANA time zone of dates written without one (Europe/Brussels for EU)."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zone_of(value)
        except DateError as exc:
            raise ValueError(str(exc)) from None
        return value


def http_url(value: str) -> str:
    """Validator body: an absolute http(s) URL (RELIABILITY I3 refuses file://, ftp://, feed: and bare paths)."""
    if not re.match(r"^https?://[^\s/?#]+", value or "", re.IGNORECASE):
        raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
    return value


def css_selector(value: str) -> str:
    """Validator body: a CSS selector soupsieve understands, optionally ending in ``@attribute``."""
    if not value:
        return value
    selector, _ = split_attr(value)
    if not selector:
        return value
    try:
        soupsieve.compile(selector)
    except Exception as exc:  # soupsieve raises SelectorSyntaxError and friends
        raise ValueError(f"not a valid CSS selector {value!r}: {str(exc).splitlines()[0]}") from None
    return value


def split_attr(selector: str) -> tuple[str, str | None]:
    """``"time@datetime"`` -> ``("time", "datetime")``; ``"h1"`` -> ``("h1", None)``; ``"@id"`` -> ``("", "id")``
    (an attribute of the element itself)."""
    m = re.fullmatch(r"(.*?)\s*@([A-Za-z_:][\w:.-]*)", selector.strip())
    if m:
        return m.group(1), m.group(2)
    return selector.strip(), None


def regex(value: str) -> str:
    """Validator body: a Python regular expression that compiles."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression {value!r}: {exc}") from None
    return value


def check_formats(values: list[str]) -> list[str]:
    """Validator body: every format has a ``strptime`` directive."""
    for fmt in values:
        if "%" not in fmt:
            raise ValueError(f"date format {fmt!r} has no strptime directive (e.g. '%d.%m.%Y %H:%M')")
    return values


#: option types that carry their own check; a kind declares ``url: HttpUrl = Field(...)`` and needs no validator
HttpUrl = Annotated[str, AfterValidator(http_url)]
#: a CSS selector, optionally ending in ``@attribute``; empty means "not given"
Selector = Annotated[str, AfterValidator(css_selector)]
#: a Python regular expression
Pattern = Annotated[str, AfterValidator(regex)]
#: ``strptime`` formats
DateFormats = Annotated[list[str], AfterValidator(check_formats)]

T = TypeVar("T", bound=BaseModel)


def load_options(model: type[T], config: SourceSettings) -> T:
    """The source's extra keys validated by ``model``; a ConfigError names the source and each bad key."""
    try:
        return model.model_validate(dict(config.model_extra or {}))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(options)"
            msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg += f"; allowed: {', '.join(sorted(model.model_fields))}"
            problems.append(f"[[sources]] {config.name} (kind {config.kind}): {key}: {msg}")
        raise ConfigError("invalid source options:\n  " + "\n  ".join(problems)) from None
