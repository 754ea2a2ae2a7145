"""The benchmark script runs (at a tiny size) and prints its figures; speed itself is never asserted."""

from __future__ import annotations

import pytest

from bench import __main__ as bench_main
from bench import digests, matcher_bench, national, search


def test_the_matcher_benchmark_runs_and_prints_its_figures(capsys):
    assert matcher_bench.main(["--calls", "300", "--profiles", "4", "--new", "30", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    assert "generated 300 calls" in out
    assert "from scratch: index" in out and "ranking 4 profiles" in out and "peak memory" in out
    assert "new calls: 30 calls x 4 profiles" in out


def test_the_generator_is_reproducible():
    first = matcher_bench.Generator(7, rare_words=1000)
    second = matcher_bench.Generator(7, rare_words=1000)
    assert [first.call(i) for i in range(5)] == [second.call(i) for i in range(5)]
    assert {c.language for c in (first.call(i) for i in range(40))} == {"sv", "en"}


def test_the_digest_benchmark_queues_every_profiles_digest_and_times_each_step(tmp_path, monkeypatch):
    monkeypatch.setenv(digests.SECRET_ENV, "a-test-secret-for-the-digest-benchmark-links")
    figures = digests.run(tmp_path, profiles=4, calls_count=300)

    assert figures["profiles"] == 4 and figures["calls"] == 300
    assert figures["queued_profiles"] + figures["empty_profiles"] == 4 and figures["queued_profiles"] >= 1
    assert figures["entries_listed"] > 0
    assert set(figures["setup_match_steps_s"]) == {"read", "check", "index", "rank", "store", "tags"}
    assert all(isinstance(figures[k], float) for k in ("build_s", "render_s", "queue_all_s"))


@pytest.mark.postgres
def test_the_national_benchmark_runs_at_a_tiny_scale_on_postgresql(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv(digests.SECRET_ENV, "a-test-secret-for-the-digest-benchmark-links")
    figures = national.run(pg_url, tmp_path, calls_count=400, profiles=3, sample=150, rounds=1)

    assert figures["ingest_upsert_calls"] == 150 and figures["ingest_bulk_insert_calls"] == 250
    assert figures["matches_stored"] > 0
    assert set(figures["match_from_scratch_steps_s"]) == {"read", "check", "index", "rank", "store", "tags"}
    assert figures["search_count"] == len(search.QUERIES)


def test_the_benchmark_runner_refuses_an_unknown_argument(capsys):
    assert bench_main.main(["nationall"]) == 2
    assert "usage: python -m bench [national" in capsys.readouterr().err
