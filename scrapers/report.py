"""Plain-text lines for the CLI: a scrape's results, source health, and source checks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from scrapers.dryrun import SourceCheck
from scrapers.runner import SourceRunResult
from store.health import SourceHealth


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def run_line(result: SourceRunResult) -> str:
    """One line per source after a scrape."""
    if result.outcome == "skipped" and not result.recorded:
        return f"{result.source}: skipped ({result.reason}: {result.error})"
    head = f"{result.source}: {result.outcome}" + (f" ({result.reason})" if result.reason else "")
    counts = (
        f"{result.parsed} calls, {result.new} new, {result.updated} updated, {result.unchanged} unchanged"
        + (f", {result.unlisted} no longer listed" if result.unlisted else "")
        + (f", {result.not_modified} not modified (304)" if result.not_modified else "")
        + f", {result.errors} errors; {result.fetched} responses in {result.seconds:.1f} s"
    )
    line = f"{head}: {counts}"
    if result.error:
        line += f"\n    {_cut(result.error, 300)}"
    return line


def health_table(rows: Sequence[SourceHealth]) -> list[str]:
    """``fundwatch sources``: state, last success, last error and the last run's counts, then alerts."""
    lines = [f"{'source':<24} {'kind':<10} {'state':<10} {'last success':<17} {'last run':<46} last error"]
    for h in rows:
        if h.last_run_at is None:
            last_run = "never run"
        elif h.last_outcome == "not_modified":
            last_run = f"{_when(h.last_run_at)} not modified"
        else:
            last_run = (
                f"{_when(h.last_run_at)} {h.last_parsed} calls, {h.last_new} new, "
                f"{h.last_updated} upd, {h.last_errors} err"
            )
        error = f"{_when(h.last_error_at)} {_cut(h.last_error, 60)}" if h.last_error else "-"
        lines.append(
            f"{h.name:<24} {h.kind:<10} {h.state:<10} {_when(h.last_ok_at):<17} {_cut(last_run, 46):<46} {error}"
        )
        for alert in h.alerts:
            lines.append(f"    ! {alert}")
    return lines


def check_lines(checks: Sequence[SourceCheck]) -> list[str]:
    """``fundwatch sources check``: per source, the HTTP statuses, items found and fields missing."""
    lines = []
    for c in checks:
        statuses: dict[int, int] = {}
        for status in c.statuses:
            statuses[status] = statuses.get(status, 0) + 1
        http = ", ".join(f"{n}×{s}" if n > 1 else str(s) for s, n in sorted(statuses.items())) or "no response"
        missing = ", ".join(f"{k} {n}/{c.items}" for k, n in c.missing.items()) or "none"
        verdict = "OK" if c.ok else "PROBLEM"
        lines.append(f"{c.source} ({c.kind}): {verdict}: HTTP {http}; {c.items} items; missing: {missing}")
        if c.warnings:
            lines.append(f"    {c.warnings} items skipped by the parser")
        if c.reason:
            lines.append(f"    {c.reason}: {_cut(c.error, 300)}")
        elif not c.items:
            lines.append("    no items found: has the page's layout changed?")
    return lines
