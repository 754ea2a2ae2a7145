"""The municipality's international relations (KLK's ``data/relations.toml``) and the programme areas
(``strategy/programme_areas.toml``), read into frozen dataclasses. Pure: files in, data out.

A file that does not validate raises :class:`errors.ConfigError` with one line per problem naming the file,
the line and the field, e.g. ``data/relations.toml, line 31: twin_towns[4].country: must be a two-letter
country code such as "PL", got "Polen"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from errors import ConfigError
from strategy.countries import valid_code
from strategy.tomlfile import Problems as _Problems
from strategy.tomlfile import read_toml as _read

HERE = Path(__file__).resolve().parent
PROGRAMME_AREAS = HERE / "programme_areas.toml"
NUTS = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")


@dataclass(frozen=True)
class Partner:
    """A twin town (with its country and NUTS region) or a network (with the countries of its members)."""

    name: str
    kind: str  # "twin_town" | "network"
    country: str = ""
    region: str = ""
    active: bool = True
    short: str = ""
    countries: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Relations:
    home: Partner
    twin_towns: tuple[Partner, ...] = ()
    networks: tuple[Partner, ...] = ()

    @property
    def active_twin_towns(self) -> tuple[Partner, ...]:
        return tuple(p for p in self.twin_towns if p.active)


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    note: str = ""


@dataclass(frozen=True)
class ProgrammeArea:
    id: str
    name: str
    name_en: str
    kind: str
    aliases: tuple[str, ...]
    programme_aliases: tuple[str, ...] = ()
    #: the area counts only when one of these words is in the call too (e.g. "partnership" for Erasmus+)
    require_any: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    uncertain: tuple[Region, ...] = ()
    min_countries: int | None = None
    outside: str = "excluded"
    period: str = ""
    source: str = ""
    note: str = ""

    def placement(self, country: str, region: str) -> tuple[str, str]:
        """Where a partner stands: ("in" | "out" | "uncertain", Swedish reason naming the region)."""
        for r in self.uncertain:
            if region and region.startswith(r.code):
                return "uncertain", f"osäkert om {r.name} ingår i programområdet"
        if country in self.countries:
            return "in", "landet ingår i programområdet"
        for r in self.regions:
            if region and region.startswith(r.code):
                return "in", f"{r.name} ingår i programområdet"
        partly = {r.code[:2] for r in (*self.regions, *self.uncertain)}
        if country in partly:
            if not region:
                return "uncertain", "bara delar av landet ingår (ange regionens NUTS-kod i relationsfilen)"
            return "out", "regionen ligger utanför programområdet"
        if self.outside == "uncertain":
            return "uncertain", "landet är inte EU-land: kontrollera om det är associerat till programmet"
        return "out", "landet ingår inte i programområdet"


# --- reading ------------------------------------------------------------------------------------------


def _str(value: Any, problems: _Problems, table: str, index: int | None, key: str, required: bool = False) -> str:
    if value is None:
        if required:
            problems.add(table, index, key, "is required")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(table, index, key, f"must be a non-empty text, got {value!r}")
        return ""
    return value.strip()


def _country(value: Any, problems: _Problems, table: str, index: int | None, key: str, required: bool) -> str:
    code = _str(value, problems, table, index, key, required)
    if code and not valid_code(code):
        problems.add(table, index, key, f'must be a two-letter country code such as "PL", got {code!r}')
        return ""
    return code


def _region(value: Any, problems: _Problems, table: str, index: int | None, key: str) -> str:
    code = _str(value, problems, table, index, key)
    if code and not NUTS.match(code):
        problems.add(table, index, key, f'must be a NUTS code such as "PL633", got {code!r}')
        return ""
    return code


def _codes(value: Any, problems: _Problems, table: str, index: int | None, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and valid_code(v) for v in value):
        problems.add(table, index, key, f"must be a list of two-letter country codes, got {value!r}")
        return ()
    return tuple(value)


def _unknown(data: dict, allowed: set[str], problems: _Problems, table: str, index: int | None) -> None:
    for key in sorted(set(data) - allowed):
        problems.add(table, index, key, f"unknown key; allowed: {', '.join(sorted(allowed))}")


_PARTNER_KEYS = {"name", "country", "region", "active", "note", "short", "countries"}


def _partner(data: Any, kind: str, problems: _Problems, table: str, index: int | None) -> Partner | None:
    if not isinstance(data, dict):
        problems.add(table, index, "name", "must be a table")
        return None
    _unknown(data, _PARTNER_KEYS, problems, table, index)
    active = data.get("active", True)
    if not isinstance(active, bool):
        problems.add(table, index, "active", f"must be true or false, got {active!r}")
        active = True
    return Partner(
        name=_str(data.get("name"), problems, table, index, "name", required=True),
        kind=kind,
        country=_country(data.get("country"), problems, table, index, "country", required=kind != "network"),
        region=_region(data.get("region"), problems, table, index, "region"),
        active=active,
        short=_str(data.get("short"), problems, table, index, "short"),
        countries=_codes(data.get("countries"), problems, table, index, "countries"),
        note=_str(data.get("note"), problems, table, index, "note"),
    )


def cached_relations(path: str | Path) -> Relations:
    """:func:`load_relations`, read again only when the file changes (KLK may edit it while fundwatch runs)."""
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (setting paths.relations_file)") from None
    return _cached_relations(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _cached_relations(path: str, _mtime_ns: int, _size: int) -> Relations:
    return load_relations(path)


def load_relations(path: str | Path) -> Relations:
    """Read KLK's relations file; raises ConfigError naming file, line and field."""
    path = Path(path)
    data, text = _read(path)
    problems = _Problems(str(path), text)
    _unknown(data, {"home", "twin_towns", "networks"}, problems, "", None)
    home = _partner(data.get("home", {}), "home", problems, "home", None) if "home" in data else None
    if home is None:
        problems.add("home", None, "name", "the [home] table (the municipality itself) is required")
    lists: dict[str, list[Partner]] = {"twin_towns": [], "networks": []}
    for table, kind in (("twin_towns", "twin_town"), ("networks", "network")):
        items = data.get(table, [])
        if not isinstance(items, list):
            problems.add(table, None, "name", f"must be written as [[{table}]] tables")
            continue
        for index, item in enumerate(items):
            partner = _partner(item, kind, problems, table, index)
            if partner is not None:
                lists[table].append(partner)
    names = [p.name.casefold() for p in lists["twin_towns"] + lists["networks"] if p.name]
    for index, partner in enumerate(lists["twin_towns"]):
        if names.count(partner.name.casefold()) > 1:
            problems.add("twin_towns", index, "name", f"{partner.name!r} is listed twice")
    problems.raise_if_any()
    assert home is not None
    return Relations(home=home, twin_towns=tuple(lists["twin_towns"]), networks=tuple(lists["networks"]))


_AREA_KEYS = {
    "id",
    "name",
    "name_en",
    "period",
    "kind",
    "aliases",
    "programme_aliases",
    "require_any",
    "countries",
    "regions",
    "uncertain",
    "min_countries",
    "outside",
    "source",
    "note",
}


def _regions(value: Any, problems: _Problems, index: int, key: str) -> tuple[Region, ...]:
    out: list[Region] = []
    if not isinstance(value, list):
        problems.add("areas", index, key, "must be a list of { code = ..., name = ... } tables")
        return ()
    for item in value:
        if not isinstance(item, dict) or not NUTS.match(str(item.get("code", ""))) or not item.get("name"):
            problems.add("areas", index, key, f"each region needs a NUTS `code` and a `name`, got {item!r}")
            continue
        out.append(Region(item["code"], str(item["name"]), str(item.get("note", ""))))
    return tuple(out)


def _texts(value: Any, problems: _Problems, index: int, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add("areas", index, key, f"must be a list of texts, got {value!r}")
        return ()
    return tuple(v.strip().casefold() for v in value)


@lru_cache(maxsize=4)
def load_programme_areas(path: str | Path = PROGRAMME_AREAS) -> tuple[ProgrammeArea, ...]:
    """Read the programme areas; raises ConfigError naming file, line and field."""
    path = Path(path)
    data, text = _read(path)
    problems = _Problems(str(path), text)
    areas: list[ProgrammeArea] = []
    items = data.get("areas", [])
    if not isinstance(items, list) or not items:
        problems.add("areas", None, "id", "at least one [[areas]] table is required")
        items = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        _unknown(item, _AREA_KEYS, problems, "areas", index)
        minimum = item.get("min_countries")
        if minimum is not None and (not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1):
            problems.add("areas", index, "min_countries", f"must be a whole number of at least 1, got {minimum!r}")
            minimum = None
        outside = item.get("outside", "excluded")
        if outside not in ("excluded", "uncertain"):
            problems.add("areas", index, "outside", f'must be "excluded" or "uncertain", got {outside!r}')
        kind = _str(item.get("kind"), problems, "areas", index, "kind", required=True)
        if kind and kind not in ("interreg", "eu_programme"):
            problems.add("areas", index, "kind", f'must be "interreg" or "eu_programme", got {kind!r}')
        aliases = _texts(item.get("aliases"), problems, index, "aliases")
        if not aliases:
            problems.add("areas", index, "aliases", "at least one alias is required")
        areas.append(
            ProgrammeArea(
                id=_str(item.get("id"), problems, "areas", index, "id", required=True),
                name=_str(item.get("name"), problems, "areas", index, "name", required=True),
                name_en=_str(item.get("name_en"), problems, "areas", index, "name_en"),
                kind=kind,
                aliases=aliases,
                programme_aliases=_texts(item.get("programme_aliases"), problems, index, "programme_aliases"),
                require_any=_texts(item.get("require_any"), problems, index, "require_any"),
                countries=_codes(item.get("countries"), problems, "areas", index, "countries"),
                regions=_regions(item.get("regions", []), problems, index, "regions"),
                uncertain=_regions(item.get("uncertain", []), problems, index, "uncertain"),
                min_countries=minimum,
                outside=outside if outside in ("excluded", "uncertain") else "excluded",
                period=_str(item.get("period"), problems, "areas", index, "period"),
                source=_str(item.get("source"), problems, "areas", index, "source", required=True),
                note=_str(item.get("note"), problems, "areas", index, "note"),
            )
        )
    ids = [a.id for a in areas]
    for index, area in enumerate(areas):
        if area.id and ids.count(area.id) > 1 and ids.index(area.id) != index:
            problems.add("areas", index, "id", f"{area.id!r} is used twice")
    problems.raise_if_any()
    return tuple(areas)
