"""Fixtures for the web tests: profiles on disk, a filled database and the app on a real loopback server."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import httpx
import pytest

from settings import Settings, SourceSettings, load_settings
from store.accounts import add_user
from store.calls import upsert_calls
from store.engine import make_engine, write_session
from store.migrate import upgrade
from store.models import Match
from tests.live_server import live_server
from tests.web.corpus import NOW, PROFILES, calls
from web import create_app
from web.accounts import hash_password
from web.ranking import open_calls_index

PASSWORD = "rätt-lösenord-123"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@dataclass
class Site:
    """The running app: its base URL, settings, engine and profiles folder, and helpers to act as a user."""

    url: str
    settings: Settings
    engine: object
    profiles_dir: Path
    app: object
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, **kwargs) -> httpx.Client:
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=30, **kwargs)
        self.clients.append(client)
        return client

    def login(self, username: str, password: str = PASSWORD) -> httpx.Client:
        client = self.client()
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
        assert response.status_code == 303, response.text
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()


def write_profiles(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for profile_id, text in PROFILES.items():
        (folder / f"{profile_id}.toml").write_text(text, encoding="utf-8")


def fill(engine) -> dict[str, int]:
    """Store the corpus, a few matches and two users; returns external id -> call id."""
    with write_session(engine) as db:
        upsert_calls(db, calls(), now=NOW)
    from sqlmodel import select

    from store.engine import read_session
    from store.models import Call

    with read_session(engine) as db:
        ids = {c.external_id: c.id for c in db.exec(select(Call))}
    explanation = {
        "priority": "Vatten och hav",
        "reasons": ["Nämner vattenvård och Östersjön", "Prioriteringen väger dubbelt"],
        "terms": [{"term": "vatten", "call_term": "vattenvård", "weight": 0.42}],
    }
    with write_session(engine) as db:
        for ext, score in (("v1", 0.82), ("h1", 0.77), ("n1", 0.61), ("e3", 0.44)):
            db.add(Match(profile_id="miljo", call_id=ids[ext], score=score, explanation=explanation, matched_at=NOW))
        db.add(
            Match(
                profile_id="skola",
                call_id=ids["e4"],
                score=0.7,
                explanation={"priority": "Skolutveckling", "reasons": ["Nämner skolor"], "terms": []},
                matched_at=NOW,
            )
        )
        db.add(Match(profile_id="skola", call_id=ids["v1"], score=0.21, explanation={}, matched_at=NOW))
        # argon2 is slow on purpose; hash the shared test password once per session (create_user is tested itself)
        add_user(db, "klk-anna", "klk", password_hash(), display_name="Anna KLK")
        add_user(db, "buf-bo", "staff", password_hash(), profiles=["skola"])
    return ids


@pytest.fixture
def make_site(tmp_path, monkeypatch) -> Iterator[Callable[..., Site]]:
    """Build and start the app; ``make_site(db_url=None, **settings)`` (dotted setting keys as keyword names
    with ``__`` for the dot, e.g. ``web__require_login=True``; ``warm=False`` leaves the index of open calls
    unbuilt, as right after a start)."""
    monkeypatch.setenv("FUNDWATCH_WEB_SECRET", "test-secret-" + "x" * 40)
    stack = []

    def build(db_url: str | None = None, filled: bool = True, warm: bool = True, **overrides) -> Site:
        folder = tmp_path / "profiles"
        if not folder.exists():
            write_profiles(folder)
        sources = overrides.pop("sources", [])
        values = {"paths.profiles_dir": str(folder), "web.base_url": "http://fundwatch.test"}
        values.update({key.replace("__", "."): value for key, value in overrides.items()})
        settings = load_settings(None, env={}, overrides=values)
        settings.sources = [SourceSettings.model_validate(source) for source in sources]
        engine = make_engine(db_url or f"sqlite:///{tmp_path / f'web{len(stack)}.db'}")
        upgrade(engine)
        site_ids = fill(engine) if filled else {}
        app = create_app(settings, engine)
        if warm:  # what the server's start-up does (the test server runs without its lifespan)
            open_calls_index(engine, app.state.web.cache)
        context = live_server(app)
        url = context.__enter__()
        site = Site(url, settings, engine, folder, app)
        site.ids = site_ids  # type: ignore[attr-defined]
        stack.append((context, site, engine))
        return site

    yield build
    for context, site, engine in reversed(stack):
        site.close()
        context.__exit__(None, None, None)
        engine.dispose()


@pytest.fixture
def site(make_site) -> Site:
    return make_site()
