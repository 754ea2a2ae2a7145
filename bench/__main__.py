"""``python -m bench`` runs every benchmark with its default (full) sizes."""

from bench import matcher_bench

if __name__ == "__main__":
    raise SystemExit(matcher_bench.main([]))
