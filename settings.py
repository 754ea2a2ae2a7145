"""fundwatch's settings: one typed, validated object, read in one place.

Precedence, lowest first: built-in defaults < ``config.toml`` < environment variables
(``FUNDWATCH_<SECTION>_<KEY>``, e.g. ``FUNDWATCH_DATABASE_URL``) < command-line flags.
Unknown keys, wrong types and bad values raise :class:`errors.ConfigError` naming the file,
the line, the key and what is allowed. Secrets are never stored here: a setting such as
``email.password_env`` names the environment variable that holds the secret.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from errors import ConfigError

ENV_PREFIX = "FUNDWATCH_"


class Section(BaseModel):
    """Base of every config section: unknown keys are refused, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class DatabaseSettings(Section):
    url: str = Field(
        "sqlite:///var/fundwatch.db",
        description="SQLAlchemy URL: `sqlite:///PATH` (embedded) or `postgresql+psycopg://USER@HOST/DB`.",
    )
    busy_timeout_ms: int = Field(
        10000, ge=0, le=600000, description="SQLite only: how long a writer waits for the lock (ms)."
    )

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not re.match(r"^(sqlite|postgresql(\+psycopg)?)://", value):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        return value


class PathSettings(Section):
    profiles_dir: str = Field("profiles", description="Folder of the profile TOML files (one per administration).")
    var_dir: str = Field("var", description="Folder for state: the SQLite database, outbox, locks, recordings.")


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    file: str = Field("", description="Log file; empty logs to standard error only.")


class HttpSettings(Section):
    contact: str = Field(
        "klk@kalmar.example", description="Contact address sent in the User-Agent so site owners can reach us."
    )
    user_agent: str = Field(
        "fundwatch/0.1 (+{contact})",
        description="User-Agent header; `{contact}` is replaced by `http.contact`.",
    )
    connect_timeout: float = Field(10.0, gt=0, le=300, description="Seconds to connect.")
    read_timeout: float = Field(30.0, gt=0, le=600, description="Seconds between received bytes.")
    deadline: float = Field(120.0, gt=0, le=3600, description="Overall wall-clock limit for one request (s).")
    max_bytes: int = Field(20_000_000, gt=0, description="Largest accepted response body, after decompression.")
    max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed per request.")
    retries: int = Field(3, ge=0, le=10, description="Retries on connection errors, 429 and 5xx.")
    backoff: float = Field(1.0, ge=0, le=60, description="First retry delay (s); doubles each retry.")
    max_retry_wait: float = Field(120.0, ge=0, le=3600, description="Longest wait honoured from Retry-After (s).")
    min_delay: float = Field(2.0, ge=0, le=300, description="Minimum delay between requests to one host (s).")
    respect_robots: bool = Field(True, description="Honour robots.txt.")
    allow_private_addresses: bool = Field(
        False, description="Allow loopback, private and link-local addresses (tests only)."
    )


class EmailSettings(Section):
    mode: Literal["outbox", "smtp"] = Field(
        "outbox", description="`outbox` writes each message as an .eml file; `smtp` sends it."
    )
    outbox_dir: str = Field("var/outbox", description="Folder for .eml files in outbox mode.")
    from_address: str = Field("fundwatch@kalmar.example", description="Sender address of every message.")
    host: str = Field("localhost", description="SMTP server.")
    port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    security: Literal["starttls", "ssl", "none"] = Field("starttls", description="Transport security.")
    username: str = Field("", description="SMTP user; empty sends without authentication.")
    password_env: str = Field(
        "FUNDWATCH_SMTP_PASSWORD", description="Name of the environment variable holding the SMTP password."
    )
    ca_file: str = Field("", description="Extra CA certificate file to trust (for an internal mail server).")
    timeout: float = Field(30.0, gt=0, le=600, description="SMTP timeout (s).")


class WebSettings(Section):
    host: str = Field("127.0.0.1", description="Address the web UI listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the web UI listens on.")
    base_url: str = Field(
        "http://127.0.0.1:8000", description="Public address of the web UI, used for links in emails."
    )
    secret_env: str = Field(
        "FUNDWATCH_WEB_SECRET", description="Name of the environment variable holding the session-signing secret."
    )
    require_login: bool = Field(False, description="Require login for reading too (changes always need one).")
    workers: int = Field(1, ge=1, le=32, description="Web server processes sharing the port (about one per core).")
    session_hours: int = Field(8, ge=1, le=720, description="How long a login lasts (hours).")
    login_max_attempts: int = Field(
        5, ge=1, le=100, description="Failed logins allowed per user name and per address within the window."
    )
    login_window_minutes: int = Field(15, ge=1, le=1440, description="Window for counting failed logins (minutes).")
    proxy_user_header: str = Field(
        "",
        description="Request header carrying the user name set by a trusted reverse proxy (single sign-on); "
        "empty turns it off.",
    )
    trusted_proxies: str = Field(
        "127.0.0.1, ::1",
        description="Comma-separated addresses of reverse proxies whose `proxy_user_header` is believed.",
    )


class SourceSettings(BaseModel):
    """One configured source (a `[[sources]]` entry). Kind-specific keys are checked by the source kind."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(description="Unique name of the source.")
    kind: str = Field(description="Source kind (see `fundwatch sources`).")
    enabled: bool = Field(True, description="Whether the source is scraped.")

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
            raise ValueError("must be lower-case letters, digits, '-' or '_'")
        return value


class Settings(BaseModel):
    """All settings; each attribute is one `[section]` of config.toml."""

    model_config = ConfigDict(extra="forbid")

    database: DatabaseSettings = DatabaseSettings()
    paths: PathSettings = PathSettings()
    logging: LoggingSettings = LoggingSettings()
    http: HttpSettings = HttpSettings()
    email: EmailSettings = EmailSettings()
    web: WebSettings = WebSettings()
    sources: list[SourceSettings] = Field(default_factory=list)

    #: where the settings were read from (not a setting)
    _config_path: str = PrivateAttr("")

    @property
    def config_path(self) -> str:
        return self._config_path

    def path(self, value: str) -> Path:
        """Resolve a configured path relative to the config file's folder."""
        p = Path(value)
        if p.is_absolute() or not self.config_path:
            return p
        return Path(self.config_path).resolve().parent / p

    def secret(self, env_name: str) -> str | None:
        """Read a secret from the environment variable a setting names."""
        return os.environ.get(env_name) or None


def sections() -> dict[str, type[Section]]:
    """The `[section]` tables of config.toml and their models (for docs and env overrides)."""
    out = {}
    for name, field in Settings.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, Section):
            out[name] = field.annotation
    return out


def _locate(text: str, section: str, key: str | None) -> int | None:
    """Best-effort line number of `key` inside `[section]` in TOML text."""
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?", stripped)
        if header:
            current = header.group(1)
            if key is None and current == section:
                return number
            continue
        if key and current == section and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return number
    return None


def _format_errors(exc: ValidationError, origin: str, text: str, via: Mapping[str, str]) -> str:
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        section = loc[0] if loc else ""
        key = loc[1] if len(loc) > 1 else None
        dotted = ".".join(loc)
        where = via.get(dotted)
        if where is None:
            line = _locate(text, section, key) if text else None
            where = f"{origin}, line {line}" if line else origin
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            msg = "unknown key" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
        elif "input" in err and err["type"] != "missing":
            msg = f"{msg} (got {err['input']!r})"
        label = f"[{section}] {'.'.join(loc[1:])}" if key else dotted
        parts.append(f"{where}: {label}: {msg}")
    return "invalid configuration:\n  " + "\n  ".join(parts)


def _allowed_keys(loc: list[str]) -> list[str]:
    if not loc:
        return sorted(Settings.model_fields)
    model = sections().get(loc[0])
    return sorted(model.model_fields) if model else []


def load_settings(
    path: str | Path | None = "config.toml",
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read settings: defaults < config file < ``FUNDWATCH_*`` environment < ``overrides`` (dotted keys).

    A missing file is an error unless ``path`` is None (defaults only).
    """
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    text = ""
    origin = "(defaults)"
    if path is not None:
        p = Path(path)
        origin = str(p)
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"{p}: config file not found (use --config PATH)") from None
        except OSError as exc:
            raise ConfigError(f"{p}: cannot read config file: {exc.strerror}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{p}: not valid UTF-8 (byte {exc.start})") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: TOML syntax error: {exc}") from None

    via: dict[str, str] = {}
    for section, model in sections().items():
        for key in model.model_fields:
            var = f"{ENV_PREFIX}{section}_{key}".upper()
            if var in env:
                target = data.setdefault(section, {})
                if not isinstance(target, dict):
                    break
                target[key] = env[var]  # a string; pydantic coerces it to the field type
                via[f"{section}.{key}"] = f"environment variable {var}"
    for dotted, value in (overrides or {}).items():
        section, _, key = dotted.partition(".")
        data.setdefault(section, {})[key] = value
        via[dotted] = f"command-line flag for {dotted}"

    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, origin, text, via)) from None
    names = [s.name for s in settings.sources]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{origin}: [[sources]] name: duplicate source name(s): {', '.join(dupes)}")
    if path is not None:
        settings._config_path = str(Path(path).resolve())
    return settings
