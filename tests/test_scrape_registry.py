"""The registry: kinds discovered by unique name, sources built from [[sources]] with their options validated."""

from __future__ import annotations

import pytest

from errors import ConfigError
from scrapers import registry as registry_module
from scrapers.base import SourceKind
from scrapers.registry import Registry, discover
from settings import load_settings
from tests.kinds_for_tests.listing import ListKind
from tests.scrape_helpers import kinds_registry, make_settings


def test_discover_finds_the_kinds_defined_in_the_packages():
    found = discover(["tests.kinds_for_tests"])
    assert found.names() == ["test-buggy", "test-list"]
    assert found.get("test-list") is ListKind


def test_the_shipped_kinds_package_is_discoverable_and_names_are_unique():
    found = discover()
    for kind in found.kinds():
        assert kind.name and kind.description, f"{kind.__module__} lacks a name or description"


def test_duplicate_kind_names_are_an_error_naming_both_modules():
    with pytest.raises(ConfigError) as info:
        discover(["tests.kinds_duplicate"])
    message = str(info.value)
    assert "'same-name'" in message
    assert "tests.kinds_duplicate.first" in message and "tests.kinds_duplicate.second" in message


def test_registering_a_kind_without_a_name_is_refused():
    class Nameless(SourceKind):
        pass

    with pytest.raises(ConfigError, match="has no name"):
        Registry([Nameless])


def test_build_validates_options_and_fills_defaults():
    settings = make_settings([{"name": "calls", "kind": "test-list", "url": "https://example.se/calls"}])
    (source,) = kinds_registry().build(settings)
    assert source.source == "calls" and source.name == "test-list"
    assert source.opts.url == "https://example.se/calls"
    assert source.options == {
        "url": "https://example.se/calls",
        "pages": [],
        "details": False,
        "complete": True,
        "strict": False,
    }


def test_unknown_kind_is_a_config_error_naming_the_source():
    settings = make_settings([{"name": "tillvaxtverket", "kind": "rss-feed", "url": "https://x.se/rss"}])
    with pytest.raises(ConfigError) as info:
        kinds_registry().build(settings)
    assert "'tillvaxtverket'" in str(info.value) and "unknown kind 'rss-feed'" in str(info.value)
    assert "test-list" in str(info.value)


def test_option_errors_name_the_source_and_the_key():
    settings = make_settings(
        [
            {"name": "one", "kind": "test-list", "url": "https://x.se", "detials": True},
            {"name": "two", "kind": "test-list", "url": "https://x.se", "details": "often"},
            {"name": "three", "kind": "test-list"},
        ]
    )
    with pytest.raises(ConfigError) as info:
        kinds_registry().build(settings)
    message = str(info.value)
    assert "[[sources]] 'one': detials: unknown key for kind 'test-list'; allowed: complete, details" in message
    assert "[[sources]] 'two': details: Input should be a valid boolean" in message
    assert "[[sources]] 'three': url: Field required" in message


def test_unknown_source_names_are_refused():
    settings = make_settings([{"name": "calls", "kind": "test-list", "url": "https://example.se/calls"}])
    with pytest.raises(ConfigError, match="unknown source.*nope.*configured sources: calls"):
        kinds_registry().build(settings, ["nope"])


def test_sources_from_config_toml_name_the_file(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text(
        '[[sources]]\nname = "feed"\nkind = "test-list"\nurl = "feed:https://example.se/rss"\n', encoding="utf-8"
    )
    monkeypatch.setattr(registry_module, "KINDS_PACKAGES", ["tests.kinds_for_tests"])
    settings = load_settings(path, env={})
    with pytest.raises(ConfigError) as info:
        discover().build(settings)
    assert str(path) in str(info.value) and "'feed'" in str(info.value) and "not feed" in str(info.value)
