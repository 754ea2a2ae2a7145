"""Priority profiles: one TOML file per administration, validated with errors naming file, line and field.

The file name without ``.toml`` is the profile's id. Loading a folder is all-or-nothing: one invalid
file raises :class:`errors.ProfileError` listing every problem, and no profile is returned.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from errors import ProfileError

MAX_BYTES = 1_000_000
APPLICANTS = ("kommun", "bolag")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")

TOP_KEYS = {
    "name": "text (required)",
    "description": "text",
    "recipients": "list of email addresses",
    "exclude": "list of terms that strongly demote a call",
    "min_score": "number between 0 and 1: matches below it are not sent",
    "max_matches": "integer 1-100: most new matches per digest",
    "applicant": 'who applies: "kommun" (an administration, the default) or "bolag" (a municipal company)',
    "favour_funders": "list of funder names whose calls get a small boost",
    "ignore_funders": "list of funder names whose calls are never matched",
    "favour_programmes": "list of programme names whose calls get a small boost",
    "ignore_programmes": "list of programme names whose calls are never matched",
    "ignore_sources": "list of source names whose calls are never matched",
    "priorities": "one or more [[priorities]] tables",
}
PRIORITY_KEYS = {
    "title": "text (required)",
    "text": "text (required)",
    "keywords": "list of terms",
    "weight": "number above 0 and at most 10 (default 1.0)",
}


@dataclass(frozen=True)
class Priority:
    title: str
    text: str
    keywords: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class Profile:
    """One administration's or company's priority profile."""

    id: str
    name: str
    priorities: tuple[Priority, ...]
    description: str = ""
    recipients: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    min_score: float | None = None
    max_matches: int = 10
    applicant: str = "kommun"
    favour_funders: tuple[str, ...] = ()
    ignore_funders: tuple[str, ...] = ()
    favour_programmes: tuple[str, ...] = ()
    ignore_programmes: tuple[str, ...] = ()
    ignore_sources: tuple[str, ...] = ()
    #: short hash of the file's bytes: stored with every match so results can be traced to a version
    version: str = ""
    path: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


class _Problems:
    def __init__(self, origin: str, text: str) -> None:
        self.origin, self.text, self.items = origin, text, []

    def add(self, field_name: str, message: str, priority: int | None = None) -> None:
        line = _line_of(self.text, field_name.split(".")[-1].split("[")[0], priority)
        where = f"{self.origin}, line {line}" if line else self.origin
        self.items.append(f"{where}: {field_name}: {message}")


def _line_of(text: str, key: str, priority: int | None) -> int | None:
    """Line of ``key = ...``; inside the n-th ``[[priorities]]`` table when ``priority`` is given."""
    block = -1
    in_priorities = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[[priorities]]"):
            block += 1
            in_priorities = True
            if key == "priorities" and (priority is None or priority == block):
                return number
            continue
        if stripped.startswith("["):
            in_priorities = False
            continue
        wanted = (priority is None and not in_priorities) or (
            priority is not None and in_priorities and block == priority
        )
        if wanted and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return number
    if priority is not None:
        return _line_of(text, "priorities", priority) if key != "priorities" else None
    return None


def _unknown(key: str, allowed: dict[str, str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key{hint}; allowed: {', '.join(sorted(allowed))}"


def _syntax_error(origin: str, text: str, exc: tomllib.TOMLDecodeError) -> str:
    """'file, line N: TOML syntax error near key: reason' from tomllib's '... (at line N, column M)'."""
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if not found:
        return f"{origin}: TOML syntax error: {message}"
    line, column = int(found.group(1)), int(found.group(2))
    reason = message[: found.start()].strip()
    lines = text.splitlines()
    key = re.match(r"^\s*([A-Za-z0-9_-]+)\s*=", lines[line - 1]) if 0 < line <= len(lines) else None
    near = f" in {key.group(1)}" if key else ""
    return f"{origin}, line {line}: TOML syntax error{near}: {reason} (column {column}); check quotes and brackets"


def _text(value: Any, name: str, problems: _Problems, required: bool, priority: int | None = None) -> str:
    if value is None:
        if required:
            problems.add(name, "is required (a text)", priority)
        return ""
    if not isinstance(value, str):
        problems.add(name, f"expected a text, got {type(value).__name__}", priority)
        return ""
    if required and not value.strip():
        problems.add(name, "must not be empty", priority)
    return value.strip()


def _texts(value: Any, name: str, problems: _Problems, priority: int | None = None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(name, 'expected a list of texts, e.g. ["a", "b"]', priority)
        return ()
    return tuple(v.strip() for v in value if v.strip())


def parse_profile(data: bytes, origin: str, profile_id: str) -> Profile:
    """Validate one profile file's bytes; raises ProfileError naming the file, line and field."""
    if len(data) > MAX_BYTES:
        raise ProfileError(f"{origin}: file is {len(data):,} bytes; a profile may be at most {MAX_BYTES:,} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ProfileError(
            f"{origin}, line {line}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8"
        ) from None
    if not ID_PATTERN.match(profile_id):
        raise ProfileError(f"{origin}: file name: the id {profile_id!r} must be lower-case letters, digits, '-' or '_'")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(_syntax_error(origin, text, exc)) from None

    problems = _Problems(origin, text)
    for key in raw:
        if key not in TOP_KEYS:
            problems.add(key, _unknown(key, TOP_KEYS))
    name = _text(raw.get("name"), "name", problems, required=True)
    description = _text(raw.get("description"), "description", problems, required=False)
    recipients = _texts(raw.get("recipients"), "recipients", problems)
    for address in recipients:
        if not EMAIL.match(address):
            problems.add("recipients", f"{address!r} is not an email address")
    exclude = _texts(raw.get("exclude"), "exclude", problems)
    favour = _texts(raw.get("favour_funders"), "favour_funders", problems)
    ignore_funders = _texts(raw.get("ignore_funders"), "ignore_funders", problems)
    ignore_sources = _texts(raw.get("ignore_sources"), "ignore_sources", problems)
    favour_programmes = _texts(raw.get("favour_programmes"), "favour_programmes", problems)
    ignore_programmes = _texts(raw.get("ignore_programmes"), "ignore_programmes", problems)
    applicant = raw.get("applicant", "kommun")
    if applicant not in APPLICANTS:
        problems.add("applicant", f'must be "kommun" or "bolag", got {applicant!r}')
        applicant = "kommun"

    min_score = raw.get("min_score")
    if min_score is not None and (
        isinstance(min_score, bool) or not isinstance(min_score, int | float) or not 0 <= min_score <= 1
    ):
        problems.add("min_score", f"must be a number between 0 and 1, got {min_score!r}")
        min_score = None
    max_matches = raw.get("max_matches", 10)
    if isinstance(max_matches, bool) or not isinstance(max_matches, int) or not 1 <= max_matches <= 100:
        problems.add("max_matches", f"must be an integer from 1 to 100, got {max_matches!r}")
        max_matches = 10

    priorities: list[Priority] = []
    raw_priorities = raw.get("priorities")
    if raw_priorities is None:
        problems.add("priorities", "at least one [[priorities]] table is required")
    elif not isinstance(raw_priorities, list) or not all(isinstance(p, dict) for p in raw_priorities):
        problems.add("priorities", "must be [[priorities]] tables")
    elif not raw_priorities:
        problems.add("priorities", "at least one [[priorities]] table is required")
    else:
        titles: set[str] = set()
        for index, item in enumerate(raw_priorities):
            label = f"priorities[{index + 1}]"
            for key in item:
                if key not in PRIORITY_KEYS:
                    problems.add(f"{label}.{key}", _unknown(key, PRIORITY_KEYS), index)
            title = _text(item.get("title"), f"{label}.title", problems, True, index)
            body = _text(item.get("text"), f"{label}.text", problems, True, index)
            keywords = _texts(item.get("keywords"), f"{label}.keywords", problems, index)
            weight = item.get("weight", 1.0)
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 10:
                problems.add(f"{label}.weight", f"must be a number above 0 and at most 10, got {weight!r}", index)
                weight = 1.0
            if title and title.casefold() in titles:
                problems.add(f"{label}.title", f"repeats the title {title!r}", index)
            titles.add(title.casefold())
            priorities.append(Priority(title=title, text=body, keywords=keywords, weight=float(weight)))

    if problems.items:
        raise ProfileError("\n".join(problems.items))
    return Profile(
        id=profile_id,
        name=name,
        description=description,
        recipients=recipients,
        exclude=exclude,
        min_score=float(min_score) if min_score is not None else None,
        max_matches=max_matches,
        applicant=applicant,
        favour_funders=favour,
        ignore_funders=ignore_funders,
        favour_programmes=favour_programmes,
        ignore_programmes=ignore_programmes,
        ignore_sources=ignore_sources,
        priorities=tuple(priorities),
        version=hashlib.sha256(data).hexdigest()[:16],
        path=origin,
    )


def load_profile(path: str | Path) -> Profile:
    """Load one profile file; its id is the file name without ``.toml``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{p}: cannot read profile: {exc.strerror}") from None
    return parse_profile(data, str(p), p.stem)


def load_profiles(folder: str | Path) -> dict[str, Profile]:
    """Load every ``*.toml`` in ``folder``, all or nothing; profiles are keyed and ordered by id."""
    base = Path(folder)
    if not base.is_dir():
        raise ProfileError(f"{base}: profiles folder not found")
    profiles: dict[str, Profile] = {}
    problems: list[str] = []
    names: dict[str, str] = {}
    for path in sorted(base.glob("*.toml")):
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            problems.append(str(exc))
            continue
        key = profile.name.casefold()
        if key in names:
            problems.append(f"{path}: name: {profile.name!r} is already used by {names[key]}")
            continue
        names[key] = str(path)
        profiles[profile.id] = profile
    if problems:
        raise ProfileError("\n".join(problems))
    return profiles


def resolve_profile(id_or_path: str, folder: str | Path) -> Profile:
    """A profile by id (from ``folder``) or by path to a .toml file."""
    candidate = Path(id_or_path)
    if candidate.suffix == ".toml" or candidate.exists():
        return load_profile(candidate)
    path = Path(folder) / f"{id_or_path}.toml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in Path(folder).glob("*.toml"))) or "none"
        raise ProfileError(f"unknown profile {id_or_path!r}; known profiles: {known}")
    return load_profile(path)
