"""The EU portal's ``budgetOverview``: one topic's share of its call's budget table.

``budgetOverview`` is a JSON text listing every topic of the parent call under ``budgetTopicActionMap``;
each line's ``action`` reads ``"<topic identifier> - <type of action>"``. Only the lines of the topic
itself count. A cut-short text (see :mod:`scrapers.jsontext`) gives only the lines whose year map is whole.
"""

from __future__ import annotations

from typing import Any

from scrapers.jsontext import TRUNCATED, loads_lenient


def _amount(value: Any) -> int | None:
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


def _money(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def own_lines(overview: Any, ident: str) -> list[dict[str, Any]]:
    """The overview's lines whose action is the topic ``ident`` (``"ID - ..."`` or exactly ``"ID"``)."""
    table = overview.get("budgetTopicActionMap") if isinstance(overview, dict) else None
    if not isinstance(table, dict):
        return []
    lines: list[dict[str, Any]] = []
    for group in table.values():
        for line in group if isinstance(group, list) else []:
            if not isinstance(line, dict):
                continue
            action = str(line.get("action") or "").strip()
            if action == ident or action.startswith(ident + " "):
                lines.append(line)
    return lines


def topic_budget(text: Any, ident: str) -> tuple[str, dict[str, Any], bool]:
    """``(budget text, budget figures, cut short)`` for topic ``ident`` from a ``budgetOverview`` text."""
    overview, cut = loads_lenient(text)
    by_year: dict[str, int] = {}
    grants = 0
    lows: list[int] = []
    highs: list[int] = []
    for line in own_lines(overview, ident):
        years = line.get("budgetYearMap")
        if not isinstance(years, dict) or TRUNCATED in years:
            continue
        for year, value in years.items():
            amount = _amount(value)
            if amount is not None:
                by_year[str(year)] = by_year.get(str(year), 0) + amount
        grants += _amount(line.get("expectedGrants")) or 0
        for key, bucket in (("minContribution", lows), ("maxContribution", highs)):
            amount = _amount(line.get(key))
            if amount:
                bucket.append(amount)
    if not by_year:
        return "", {}, cut
    total = sum(by_year.values())
    figures: dict[str, Any] = {"currency": "EUR", "total": total, "by_year": dict(sorted(by_year.items()))}
    text_out = f"EUR {_money(total)}"
    if len(by_year) > 1:
        text_out += " (" + ", ".join(f"{y}: {_money(v)}" for y, v in sorted(by_year.items())) + ")"
    if grants:
        figures["expected_grants"] = grants
        text_out += f"; {grants} grant{'s' if grants != 1 else ''}"
    if lows and highs:
        low, high = min(lows), max(highs)
        figures["min_contribution"], figures["max_contribution"] = low, high
        text_out += f" of EUR {_money(low)}" if low == high else f" of EUR {_money(low)}–{_money(high)}"
    return text_out, figures, cut
