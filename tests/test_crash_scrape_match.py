"""D3 + D8: the real CLI killed with SIGKILL in the middle of a scrape and of a match run, then run again.

The kill comes from the ``FUNDWATCH_CRASH_AT`` hook (``crashpoints.py``) at named points in
``scrapers/runner.py`` and ``match_run.py``: the process sends itself SIGKILL there, so no cleanup, no
rollback and no exception handler runs. After the kill the database passes its integrity check, what was
committed is there (and nothing that was not), and a re-run leaves exactly the state of a run that was
never interrupted: the same calls, matches, change records and source health. On SQLite and PostgreSQL;
the uninterrupted reference run is made once, on SQLite.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

import pytest

from tests.crash_support import canonical, cli, integrity, prepare, runs_in_order, scrape

pytestmark = pytest.mark.slow


@dataclass
class Reference:
    #: the sources in the order one scrape runs them
    order: list[str]
    #: the state after one uninterrupted scrape, and after it and one match run
    scraped: dict
    matched: dict


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    folder = tmp_path_factory.mktemp("reference")
    config = prepare(folder)
    url = f"sqlite:///{folder / 'reference.db'}"
    assert scrape(config, url).returncode == 0
    scraped = canonical(url)
    assert cli(config, url, "match").returncode == 0
    matched = canonical(url)
    order = runs_in_order(url)
    # what the comparisons below rely on: several sources, duplicates grouped, matches found
    assert len(order) == 6 and sum(1 for c in scraped["calls"] if c["group_key"]) == 12
    assert matched["matches"] and not scraped["matches"] and not scraped["changes"]
    return Reference(order, scraped, matched)


def killed(result) -> bool:
    return result.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    ("point", "stored", "recorded"),
    [
        # the second source's batch is committed, then the kill: its run is not recorded yet
        ("scrape.after_batch:2", 2, 1),
        # the third source's batch is written in its transaction but not committed: none of it survives
        ("scrape.batch_uncommitted:3", 2, 2),
    ],
)
def test_a_scrape_killed_between_batches_keeps_every_committed_batch_and_a_rerun_converges(
    db_url, tmp_path, reference, point, stored, recorded
):
    config = prepare(tmp_path)

    crashed = scrape(config, db_url, crash_at=point)

    assert killed(crashed), crashed.stderr
    assert integrity(db_url) == "ok"
    state = canonical(db_url)
    committed = set(reference.order[:stored])
    assert state["calls"] == [c for c in reference.scraped["calls"] if c["source"] in committed]
    assert runs_in_order(db_url) == reference.order[:recorded]

    rerun = scrape(config, db_url)

    assert rerun.returncode == 0, rerun.stderr
    assert integrity(db_url) == "ok"
    assert canonical(db_url) == reference.scraped


def test_a_scrape_killed_before_grouping_duplicates_is_grouped_by_the_rerun(db_url, tmp_path, reference):
    config = prepare(tmp_path)

    crashed = scrape(config, db_url, crash_at="scrape.before_regroup")

    assert killed(crashed), crashed.stderr
    assert integrity(db_url) == "ok"
    state = canonical(db_url)
    assert state["calls"] == [{**c, "group_key": None} for c in reference.scraped["calls"]]
    assert runs_in_order(db_url) == reference.order

    rerun = scrape(config, db_url)  # every call is unchanged now, yet the groups must be made

    assert rerun.returncode == 0, rerun.stderr
    assert canonical(db_url) == reference.scraped


def test_a_match_run_killed_mid_transaction_stores_nothing_and_a_rerun_converges(db_url, tmp_path, reference):
    config = prepare(tmp_path)
    assert scrape(config, db_url).returncode == 0

    crashed = cli(config, db_url, "match", crash_at="match.profile_uncommitted:5")

    assert killed(crashed), crashed.stderr
    assert integrity(db_url) == "ok"
    assert canonical(db_url) == reference.scraped  # the four profiles already replaced were not committed

    rerun = cli(config, db_url, "match")

    assert rerun.returncode == 0, rerun.stderr
    assert integrity(db_url) == "ok"
    assert canonical(db_url) == reference.matched


def test_a_match_run_killed_after_its_commit_keeps_it_and_a_rerun_changes_nothing(db_url, tmp_path, reference):
    config = prepare(tmp_path)
    assert scrape(config, db_url).returncode == 0

    crashed = cli(config, db_url, "match", crash_at="match.after_commit")

    assert killed(crashed), crashed.stderr
    assert integrity(db_url) == "ok"
    assert canonical(db_url) == reference.matched

    rerun = cli(config, db_url, "match")

    assert rerun.returncode == 0, rerun.stderr
    # the killed run stopped before tagging the calls (strategy alignment): the re-run tags them, once
    tagging = [line for line in rerun.stdout.splitlines() if line.startswith("tagged ")]
    lines = [line for line in rerun.stdout.splitlines() if not line.startswith("tagged ")]
    assert len(lines) == 11 and all(": 0 new, 0 updated, 0 removed, " in line for line in lines)
    assert len(tagging) == 1 and tagging[0].endswith(" calls with Agenda 2030 and child/youth tags")
    assert canonical(db_url) == reference.matched
