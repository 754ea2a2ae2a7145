"""Reading the strategy's TOML data files with errors that name the file, the line and the field."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from errors import ConfigError


class Problems:
    """Collects problems of one file as "file, line N: field: message" lines."""

    def __init__(self, origin: str, text: str) -> None:
        self.origin, self.lines, self.items = origin, text.splitlines(), []

    def add(self, table: str, index: int | None, key: str, message: str) -> None:
        line = _line_of(self.lines, table, index, key)
        where = f"{self.origin}, line {line}" if line else self.origin
        name = f"{table}[{index + 1}].{key}" if index is not None else (f"{table}.{key}" if table else key)
        self.items.append(f"{where}: {name}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError("\n".join(self.items))


def _line_of(lines: list[str], table: str, index: int | None, key: str) -> int | None:
    """Line of ``key = ...`` inside ``[table]`` or the ``index``-th ``[[table]]`` (else the table's header)."""
    block, inside, header = -1, table == "", None
    for number, raw in enumerate(lines, start=1):
        stripped = raw.strip()
        if stripped.startswith("["):
            name = stripped.strip("[] ").split("]")[0].strip()
            if stripped.startswith("[[") and name == table:
                block += 1
                inside = index is None or block == index
            else:
                inside = index is None and name == table
            if inside and header is None:
                header = number
            continue
        if inside and re.match(rf"^{re.escape(key)}\s*=", stripped):
            return number
    return header


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from None
