"""The benchmark script runs (at a tiny size) and prints its figures; speed itself is never asserted."""

from __future__ import annotations

from bench import matcher_bench


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
