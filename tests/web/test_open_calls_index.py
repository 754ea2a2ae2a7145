"""The per-process index of open calls behind "similar calls" and the workshop preview: built once, kept while
the open calls are unchanged, rebuilt in the background (the old one serving meanwhile) when they change."""

from __future__ import annotations

from datetime import timedelta

from store.calls import upsert_calls
from store.engine import make_engine, write_session
from store.migrate import upgrade
from tests.web.corpus import NOW, calls
from web.ranking import INDEX_CACHE_KEY, OpenCallsIndex, similar


def test_the_index_is_kept_then_rebuilt_in_the_background_when_the_open_calls_change(tmp_path, monkeypatch):
    monkeypatch.setattr("web.ranking.CHECK_SECONDS", 0.0)  # look at the open calls on every use
    engine = make_engine(f"sqlite:///{tmp_path / 'index.db'}")
    upgrade(engine)
    records = calls()
    assert records[-1].status == "open"
    with write_session(engine) as db:
        upsert_calls(db, records[:-1], now=NOW)
    holder = OpenCallsIndex(engine)
    first = holder.get()
    assert holder.get() is first and holder.refresh is None  # unchanged: no rebuild
    ids = [c.id for c in first.calls]

    with write_session(engine) as db:  # a scrape adds an open call
        upsert_calls(db, records[-1:], now=NOW + timedelta(hours=1))
    assert holder.get() is first  # served at once from the previous index...
    holder.refresh.join(timeout=60)
    second = holder.get()  # ...and replaced when the new one is built
    assert second is not first and len(second.calls) == len(ids) + 1
    assert holder.get() is second
    assert similar(ids[0], second) and all(cid != ids[0] for cid, _ in similar(ids[0], second))
    assert similar(10**9, second) == []  # a call not in the index (closed) has no similar calls
    engine.dispose()


def test_the_open_calls_are_looked_at_again_only_after_the_check_interval(tmp_path):
    from web.ranking import CHECK_SECONDS

    engine = make_engine(f"sqlite:///{tmp_path / 'index.db'}")
    upgrade(engine)
    records = calls()
    with write_session(engine) as db:
        upsert_calls(db, records[:-1], now=NOW)
    holder = OpenCallsIndex(engine)
    first = holder.get()
    with write_session(engine) as db:
        upsert_calls(db, records[-1:], now=NOW + timedelta(hours=1))
    assert holder.get() is first and holder.refresh is None  # within the interval: not even looked at
    holder.checked_at -= CHECK_SECONDS  # the interval has passed
    assert holder.get() is first  # the change is seen: the old index serves while the new one is built
    holder.refresh.join(timeout=60)
    assert len(holder.get().calls) == len(first.calls) + 1
    engine.dispose()


def test_a_call_page_does_not_wait_for_the_first_index(make_site):
    site = make_site(warm=False)
    holder = OpenCallsIndex(site.engine)
    assert holder.get(wait=False) is None  # nothing built yet: the answer comes at once, the build goes on
    holder.refresh.join(timeout=60)
    assert holder.get(wait=False) is not None

    page = site.client().get(f"/calls/{site.ids['e1']}").text  # this process's index is not built yet
    assert "Liknande utlysningar tas fram just nu" in page

    site.app.state.web.cache[INDEX_CACHE_KEY].refresh.join(timeout=60)
    page = site.client().get(f"/calls/{site.ids['e1']}").text
    assert "tas fram just nu" not in page and "likhet" in page.split("Liknande utlysningar")[-1]
