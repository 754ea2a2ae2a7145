"""fundwatch's settings: one typed, validated object, read in one place.

Precedence, lowest first: built-in defaults < ``config.toml`` < environment variables
(``FUNDWATCH_<SECTION>_<KEY>``, e.g. ``FUNDWATCH_DATABASE_URL``) < command-line flags.
Unknown keys, wrong types and bad values raise :class:`errors.ConfigError` naming the file,
the line, the key and what is allowed. Secrets are never stored here: a setting such as
``email.password_env`` names the environment variable that holds the secret.
"""

from __future__ import annotations

import ipaddress
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
    relations_file: str = Field(
        "data/relations.toml",
        description="KLK's file of the municipality's twin towns and networks, used for partner hints "
        '(see "Strategy alignment").',
    )


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
    allowed_networks: list[str] = Field(
        default_factory=list,
        description="Networks (CIDR) fetched even though they are private, e.g. an internal mirror; "
        "a comma-separated list in the environment variable.",
    )

    @field_validator("allowed_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"not a network in CIDR notation: {network!r}") from None
        return value


class ScrapeSettings(Section):
    concurrency: int = Field(4, ge=1, le=32, description="Sources scraped at the same time (hosts stay polite).")
    max_requests: int = Field(2000, ge=1, description="Most requests one source may make in one run.")
    stale_days: float = Field(7.0, gt=0, description="A source without a successful run for this long is stale.")
    backoff_after_failures: int = Field(
        10, ge=1, description="Consecutive failures after which a source is retried less often (never disabled)."
    )
    max_backoff_hours: float = Field(
        24.0, gt=0, le=24, description="Longest wait between attempts of a failing source (hours, at most 24)."
    )
    replay_dir: str = Field(
        "",
        description="Answer every scrape (`fundwatch scrape`, `sources check` and the scheduled job) from this "
        "recording folder instead of the network, e.g. `demo/recordings` (what `make demo` uses); empty scrapes "
        "live. `--replay DIR` wins.",
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
    max_attempts: int = Field(
        10, ge=1, le=100, description="Delivery attempts before a message is marked failed (temporary errors only)."
    )
    retry_backoff: float = Field(
        60.0, ge=0, le=3600, description="Wait before the first retry (s); doubles each attempt, at most 6 hours."
    )
    send_lease: float = Field(
        600.0,
        gt=0,
        le=86400,
        description="A message left in `sending` longer than this (s) was interrupted by a crash and is re-sent.",
    )


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
    workers: int = Field(
        1,
        ge=1,
        le=32,
        description="Web server processes on the port, each with its own listening socket (about one per core).",
    )
    threads: int = Field(
        2,
        ge=1,
        le=100,
        description="Requests one web process works on at once; more wait their turn (raise it if slow pages, e.g. large downloads, hold up the rest).",
    )
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


def validate_cron(value: str) -> str:
    """A crontab expression: 5 fields (minute hour day month weekday) or 6 (seconds first)."""
    fields = value.split()
    if len(fields) not in (5, 6):
        raise ValueError("must be a cron expression of 5 fields (minute hour day month weekday) or 6 (seconds first)")
    try:
        cron_trigger(value, "Europe/Stockholm")
    except ValueError as exc:
        raise ValueError(f"invalid cron expression: {exc}") from None
    return value


def cron_trigger(expression: str, timezone: str):
    """An APScheduler CronTrigger from a 5- or 6-field crontab expression."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expression, timezone=timezone)
    second, minute, hour, day, month, day_of_week = fields
    return CronTrigger(
        second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=timezone
    )


def job_schedules(settings: Settings) -> dict[str, str]:
    """Job name -> cron expression, from [schedule] (and per-source schedules as ``scrape.NAME`` jobs)."""
    sched = settings.schedule
    out = {
        "scrape": sched.scrape,
        "digest": sched.digest,
        "overview": sched.overview,
        "reminders": sched.reminders,
        "reconcile": sched.reconcile,
    }
    for source in settings.sources:
        if source.enabled and source.schedule:
            out[f"scrape.{source.name}"] = source.schedule
    return out


class ScheduleSettings(Section):
    timezone: str = Field("Europe/Stockholm", description="Time zone of every schedule.")
    scrape: str = Field(
        "30 5 * * *", description="When all sources are scraped (cron); matching runs after each scrape."
    )
    digest: str = Field("0 7 * * mon", description="When the weekly digests are sent (cron).")
    overview: str = Field("15 7 * * mon", description="When KLK's overview digest is sent (cron).")
    reminders: str = Field(
        "0 6 * * *", description="When deadline reminders for followed-up calls are queued and sent (cron)."
    )
    reconcile: str = Field(
        "7 * * * *", description="When the catch-up reconciler looks for due, unsent digests (cron; also at start)."
    )
    catch_up_days: int = Field(
        3, ge=0, le=14, description="A missed weekly digest is sent late up to this many days after it was due."
    )
    misfire_grace_seconds: int = Field(
        3600, ge=1, le=86400, description="How late a missed job run may still start (coalesced into one run)."
    )
    standby_poll_seconds: float = Field(
        2.0, gt=0, le=300, description="How often a standby scheduler tries to take over the leader lock."
    )
    job_history_days: int = Field(90, ge=1, le=3650, description="How long job-run records are kept.")

    @field_validator("scrape", "digest", "overview", "reminders", "reconcile")
    @classmethod
    def _cron(cls, value: str) -> str:
        return validate_cron(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as Europe/Stockholm") from None
        return value


class DigestSettings(Section):
    min_score: float = Field(
        0.4, ge=0, le=1, description="Lowest score sent in a digest for profiles that set no `min_score`."
    )
    closing_days: int = Field(
        14,
        ge=1,
        le=90,
        description='Calls from earlier digests closing within this many days are under "Deadline snart".',
    )
    send_empty: bool = Field(
        False, description='Send a short "inga nya träffar" note when a week has nothing new and nothing closing.'
    )
    title_chars: int = Field(200, ge=20, le=1000, description="Longest title shown in a digest (longer ones are cut).")
    summary_chars: int = Field(
        300, ge=50, le=2000, description="Longest summary shown per call (about two or three lines)."
    )
    overview_recipients: list[str] = Field(
        default_factory=list,
        description="Recipients of KLK's weekly overview (a list, or comma-separated in the environment); empty sends none.",
    )
    overview_top: int = Field(5, ge=1, le=50, description="Top matches per administration in KLK's overview.")
    dry_run_dir: str = Field(
        "var/digest-dry-run", description="Folder `fundwatch digest --dry-run` writes its messages to."
    )

    @field_validator("overview_recipients", mode="before")
    @classmethod
    def _split_addresses(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("overview_recipients")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if not re.fullmatch(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+", address):
                raise ValueError(f"{address!r} is not an email address")
        return value


class MatcherSettings(Section):
    store_min_score: float = Field(
        0.1, ge=0, le=1, description="`fundwatch match` stores matches scoring at least this (for the web UI)."
    )
    store_limit: int = Field(200, ge=1, le=10000, description="Most matches `fundwatch match` stores per profile.")


class SourceSettings(BaseModel):
    """One configured source (a `[[sources]]` entry). Kind-specific keys are checked by the source kind."""

    model_config = ConfigDict(extra="allow")

    name: str = Field(description="Unique name of the source.")
    kind: str = Field(description="Source kind (see `fundwatch sources`).")
    enabled: bool = Field(True, description="Whether the source is scraped.")
    schedule: str | None = Field(None, description="The source's own scrape schedule (cron); default: schedule.scrape.")
    min_delay: float | None = Field(
        None,
        ge=0,
        le=600,
        description="Seconds between requests to this source's hosts, when more than http.min_delay.",
    )

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return validate_cron(value) if value is not None else None

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
    scrape: ScrapeSettings = ScrapeSettings()
    email: EmailSettings = EmailSettings()
    web: WebSettings = WebSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    digest: DigestSettings = DigestSettings()
    matcher: MatcherSettings = MatcherSettings()
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
