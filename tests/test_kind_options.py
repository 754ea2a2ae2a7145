"""Source options: validated per kind with errors naming the source and key, shipped and documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from errors import ConfigError
from settings import SourceSettings, load_settings
from tests.kind_cases import KINDS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
VERIFIED = {"real capture", "hand-written fixture, unverified against the live site"}


def source(kind: str, **options) -> SourceSettings:
    return SourceSettings(name="my-source", kind=kind, **options)


def keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, field in model.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            out.extend(keys(field.annotation, f"{prefix}{name}."))
        else:
            out.append(prefix + name)
    return out


def section(title: str) -> str:
    start = README.index(title)
    following = re.search(r"\n#{2,4} ", README[start + len(title) :])
    return README[start : start + len(title) + (following.start() if following else len(README))]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_option_of_every_kind_is_documented_in_the_readme(kind):
    own = section(f"#### `{kind}`")
    details = section("#### Detail pages")
    for key in keys(KINDS[kind].Options):
        where = details if key.startswith("detail.") else own
        shown = f"sources.{key}" if "." in key else key  # nested keys live in [sources.fields] / [sources.detail]
        assert f"| `{shown}` |" in where, f"README: option {shown} of kind {kind} is not documented"


def test_every_shipped_source_is_in_the_readme_table_with_how_it_was_verified():
    settings = load_settings(ROOT / "config.toml", env={})
    assert len(settings.sources) >= 5
    table = section("## Sources")
    for src in settings.sources:
        row = re.search(rf"^\| `{re.escape(src.name)}` \| (.+?) \| `{src.kind}` \| (.+?) \|$", table, re.MULTILINE)
        assert row, f"README sources table lacks {src.name}"
        assert any(row.group(2).startswith(v) for v in VERIFIED), row.group(2)
        KINDS[src.kind](src)  # the shipped options validate


def test_each_kind_has_a_unique_name_and_a_description():
    assert len({k.name for k in KINDS.values()}) == len(KINDS)
    assert all(k.description for k in KINDS.values())


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        (
            "rss",
            {"url": "https://x.se/feed", "fetch_detail": True},
            r"fetch_detail: unknown key; allowed: .*fetch_details",
        ),
        ("rss", {}, r"url: Field required"),
        ("rss", {"url": "file:///etc/passwd"}, r"url: must be an absolute http\(s\) URL"),
        ("rss", {"url": "feed:https://x.se/rss"}, r"url: must be an absolute http\(s\) URL"),
        ("rss", {"url": "ftp://x.se/rss"}, r"url: must be an absolute http\(s\) URL"),
        (
            "rss",
            {"url": "https://x.se/feed", "timezone": "Europe/Kalmar"},
            r"timezone: unknown time zone 'Europe/Kalmar'",
        ),
        ("rss", {"url": "https://x.se/feed", "include": "utlys(ning"}, r"include: not a valid regular expression"),
        ("rss", {"url": "https://x.se/feed", "detail": {"deadline": "div[["}}, r"detail.deadline: not a valid CSS"),
        ("rss", {"url": "https://x.se/feed", "detail": {"deadlines": ".x"}}, r"detail.deadlines: unknown key"),
        ("html", {"url": "https://x.se/"}, r"item: Field required"),
        ("html", {"url": "https://x.se/", "item": "li", "fields": {"title": "h3 >"}}, r"fields.title: not a valid CSS"),
        ("html", {"url": "https://x.se/", "item": "li", "date_formats": ["DD.MM.YYYY"]}, r"has no strptime directive"),
        ("html", {"url": "https://x.se/", "item": "li", "max_pages": 0}, r"max_pages: Input should be greater"),
        ("eu-ftp", {"deadline_time": "5 pm"}, r"deadline_time: must be HH:MM"),
        ("eu-ftp", {"page_size": 500}, r"page_size: Input should be less than or equal to 100"),
        ("vinnova", {"page_url": "https://www.vinnova.se/"}, r"page_url: must contain \{dnr\}"),
        ("vinnova", {"page_url": "https://www.vinnova.se/{dnr}/{x}"}, r"page_url: may contain no other"),
    ],
)
def test_bad_options_are_refused_naming_the_source_and_the_key(kind, options, message):
    with pytest.raises(ConfigError) as info:
        KINDS[kind](source(kind, **options))
    text = str(info.value)
    assert f"[[sources]] my-source (kind {kind}):" in text
    assert re.search(message, text), text


def test_a_config_file_with_bad_source_options_names_them(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[[sources]]\nname = "feed"\nkind = "rss"\nurl = "https://x.se/rss"\nfetch_detail = true\n')
    config = load_settings(path, env={}).sources[0]
    with pytest.raises(ConfigError, match=r"\[\[sources\]\] feed \(kind rss\): fetch_detail: unknown key"):
        KINDS["rss"](config)
