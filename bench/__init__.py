"""Benchmarks that print figures (speed targets live here, never as timed assertions in tests)."""
