"""``web.threads``: how many requests one web process works on at once."""

from __future__ import annotations

import anyio
import anyio.to_thread

from settings import load_settings
from store.engine import make_engine
from store.migrate import upgrade
from web import create_app


def test_the_web_process_works_on_at_most_web_threads_requests_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("FUNDWATCH_WEB_SECRET", "test-secret-" + "x" * 40)
    settings = load_settings(None, env={}, overrides={"paths.profiles_dir": str(tmp_path), "web.threads": 3})
    engine = make_engine(f"sqlite:///{tmp_path / 'threads.db'}")
    upgrade(engine)
    app = create_app(settings, engine)

    async def started() -> tuple[int, int]:
        before = anyio.to_thread.current_default_thread_limiter().total_tokens
        async with app.router.lifespan_context(app):  # what uvicorn runs at start-up
            return before, anyio.to_thread.current_default_thread_limiter().total_tokens

    before, after = anyio.run(started)
    engine.dispose()
    assert (before, after) == (40, 3)  # anyio's default, then the setting
