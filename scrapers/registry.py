"""The registry: source kinds by unique name, and the configured sources built from ``[[sources]]``.

Kinds are the ``SourceKind`` subclasses defined in the modules of ``scrapers.kinds``; two kinds with
the same ``name`` are an error naming both modules. A kind may declare a pydantic model ``Options``
for its extra keys: the registry validates each ``[[sources]]`` entry against it (unknown keys,
wrong types, bad values) and names the source and key in every error. Whatever the kind, keys
holding URLs (``url``, ``urls``, ``*_url``, ``*_urls``) must be http(s), and a literal non-public
address is refused unless allowed, when the configuration is read.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from errors import ConfigError, SourceError
from scrapers.addresses import AddressPolicy, check_url_scheme
from scrapers.base import SourceKind
from settings import Settings, SourceSettings

#: packages whose modules hold source kinds (tests add their own package here)
KINDS_PACKAGES = ["scrapers.kinds"]


class Registry:
    """Source kinds by name."""

    def __init__(self, kinds: Iterable[type[SourceKind]] = ()) -> None:
        self._kinds: dict[str, type[SourceKind]] = {}
        for kind in kinds:
            self.register(kind)

    def register(self, kind: type[SourceKind]) -> type[SourceKind]:
        """Add ``kind``; refuse a missing or duplicate name (usable as a class decorator)."""
        if not kind.name:
            raise ConfigError(f"source kind {kind.__module__}.{kind.__qualname__} has no name")
        other = self._kinds.get(kind.name)
        if other is not None and other is not kind:
            raise ConfigError(
                f"duplicate source kind name {kind.name!r}: defined in {other.__module__} "
                f"({other.__qualname__}) and in {kind.__module__} ({kind.__qualname__})"
            )
        self._kinds[kind.name] = kind
        return kind

    def get(self, name: str) -> type[SourceKind] | None:
        return self._kinds.get(name)

    def names(self) -> list[str]:
        return sorted(self._kinds)

    def kinds(self) -> list[type[SourceKind]]:
        return [self._kinds[n] for n in self.names()]

    def build(self, settings: Settings, names: Iterable[str] | None = None) -> list[SourceKind]:
        """The configured sources (all, or those named), each validated; every problem reported at once."""
        policy = AddressPolicy.from_settings(settings.http.allow_private_addresses, settings.http.allowed_networks)
        configured = {s.name: s for s in settings.sources}
        origin = settings.config_path or "config"
        wanted = list(names) if names else list(configured)
        unknown = [n for n in wanted if n not in configured]
        if unknown:
            known = ", ".join(configured) or "none"
            raise ConfigError(f"unknown source(s): {', '.join(unknown)}; configured sources: {known}")
        problems: list[str] = []
        built: list[SourceKind] = []
        for name in wanted:
            try:
                built.append(self.build_one(configured[name], policy))
            except ConfigError as exc:
                problems.append(f"{origin}: {exc}")
        if problems:
            raise ConfigError("invalid source configuration:\n  " + "\n  ".join(problems))
        return built

    def build_one(self, config: SourceSettings, policy: AddressPolicy | None = None) -> SourceKind:
        label = f"[[sources]] {config.name!r}"
        kind = self.get(config.kind)
        if kind is None:
            raise ConfigError(f"{label}: unknown kind {config.kind!r}; known kinds: {', '.join(self.names())}")
        extras = dict(config.model_extra or {})
        problems = _url_problems(extras, policy or AddressPolicy())
        model: type[BaseModel] | None = getattr(kind, "Options", None)
        validated: BaseModel | None = None
        if model is not None:
            unknown = sorted(set(extras) - set(model.model_fields))
            for key in unknown:
                allowed = ", ".join(sorted(model.model_fields)) or "none"
                problems.append(f"{key}: unknown key for kind {kind.name!r}; allowed: {allowed}")
            try:
                validated = model.model_validate({k: v for k, v in extras.items() if k not in unknown})
            except ValidationError as exc:
                for err in exc.errors():
                    key = ".".join(str(p) for p in err["loc"]) or "(options)"
                    got = f" (got {err['input']!r})" if err["type"] != "missing" and "input" in err else ""
                    problems.append(f"{key}: {err['msg']}{got}")
        if problems:
            raise ConfigError(f"{label}: " + "; ".join(dict.fromkeys(problems)))
        try:
            source = kind(config)
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"{label}: {exc}") from None
        if validated is not None:
            source.options = validated.model_dump()
            source.opts = validated
        return source


def _url_problems(extras: dict[str, Any], policy: AddressPolicy) -> list[str]:
    problems = []
    for key, value in extras.items():
        if not (key in ("url", "urls") or key.endswith(("_url", "_urls"))):
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            try:
                check_url_scheme(item if isinstance(item, str) else "")
                policy.check_url(item)
            except (ValueError, SourceError) as exc:
                problems.append(f"{key}: {exc}")
    return problems


def discover(packages: Iterable[str] | None = None) -> Registry:
    """Import every module of the packages (default ``KINDS_PACKAGES``) and register the kinds defined there."""
    registry = Registry()
    for package in packages or KINDS_PACKAGES:
        root = importlib.import_module(package)
        for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package}.{info.name}")
            for _, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, SourceKind) and obj is not SourceKind and obj.__module__ == module.__name__:
                    if obj.name:
                        registry.register(obj)
    return registry
