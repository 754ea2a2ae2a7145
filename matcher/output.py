"""Plain-text and JSON renderings of rankings and previews, for the command line."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from matcher.model import CallId, CallText, Preview, Scored


def ranking_records(results: Sequence[Scored], calls: Mapping[CallId, Any]) -> list[dict[str, Any]]:
    """One JSON-ready object per result, best first (``calls``: id -> call with source, title, ...)."""
    out = []
    for position, scored in enumerate(results, start=1):
        call = calls[scored.call_id]
        deadline = getattr(call, "deadline_at", None)
        out.append(
            {
                "rank": position,
                "source": call.source,
                "external_id": call.external_id,
                "title": call.title,
                "score": scored.score,
                "reasons": list(scored.reasons),
                "priority": scored.priority,
                "terms": [dict(t) for t in scored.terms],
                "url": getattr(call, "url", ""),
                "funder": call.funder,
                "programme": call.programme,
                "status": call.status,
                "language": call.language,
                "deadline_at": deadline.isoformat() if hasattr(deadline, "isoformat") else deadline,
            }
        )
    return out


def ranking_json(results: Sequence[Scored], calls: Mapping[CallId, Any]) -> str:
    return json.dumps(ranking_records(results, calls), ensure_ascii=False, indent=2)


def _line(position: int, scored: Scored, call: Any, width: int = 100) -> list[str]:
    deadline = getattr(call, "deadline_at", None)
    when = f"  (deadline {deadline:%Y-%m-%d})" if hasattr(deadline, "strftime") else ""
    head = f"{position:>3}. {scored.score:.2f}  {call.source}:{call.external_id}{when}"
    lines = [head, *textwrap.wrap(call.title, width, initial_indent="       ", subsequent_indent="       ")]
    lines.extend(f"       - {reason}" for reason in scored.reasons)
    return lines


def ranking_table(results: Sequence[Scored], calls: Mapping[CallId, Any], threshold: float | None = None) -> str:
    if not results:
        return "no matching calls"
    lines: list[str] = []
    marked = False
    for position, scored in enumerate(results, start=1):
        if threshold is not None and not marked and scored.score < threshold:
            lines.append(f"     --- below the profile's min_score {threshold:.2f}: not sent in digests ---")
            marked = True
        lines.extend(_line(position, scored, calls[scored.call_id]))
    return "\n".join(lines)


def preview_table(result: Preview, calls: Mapping[CallId, CallText | Any], title: str) -> str:
    def name(call_id: CallId) -> str:
        call = calls[call_id]
        return f"{call.source}:{call.external_id}  {call.title[:70]}"

    lines = [title]
    if not result.changed:
        lines.append("  no change in the top list")
    for scored in result.entered:
        new = next(i for i, s in enumerate(result.after, start=1) if s.call_id == scored.call_id)
        lines.append(f"  + enters at {new:>2} ({scored.score:.2f})  {name(scored.call_id)}")
    for scored in result.left:
        old = next(i for i, s in enumerate(result.before, start=1) if s.call_id == scored.call_id)
        lines.append(f"  - leaves from {old:>2}           {name(scored.call_id)}")
    for moved in result.moved:
        arrow = "up" if moved.new_rank < moved.old_rank else "down"
        lines.append(f"  ~ {arrow:<4} {moved.old_rank:>2} -> {moved.new_rank:>2}       {name(moved.call_id)}")
    return "\n".join(lines)
