"""JSON sent as text inside JSON (the EU portal's ``actions`` and ``budgetOverview``), read leniently.

Such a text can arrive cut short (shortened copies of real responses end mid-word). ``loads_lenient``
then keeps every value that was complete: it cuts the text back to the last point where a value ended
and closes the open brackets, so ``{"a":1,"b":{"c":2},"d":"x`` reads as
``{"a":1,"b":{"c":2},"__truncated__":true}`` (the marker says which objects lost members).
"""

from __future__ import annotations

import json
from typing import Any

#: key added to every object the repair had to close: its members after the cut are missing
TRUNCATED = "__truncated__"


def _closers(stack: list[str], innermost_empty: bool) -> str:
    out = []
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth] == "}":
            empty = innermost_empty and depth == len(stack) - 1
            out.append(("" if empty else ",") + f'"{TRUNCATED}":true}}')
        else:
            out.append("]")
    return "".join(out)


def _repair(text: str) -> str | None:
    stack: list[str] = []
    in_string = escaped = False
    best: tuple[int, list[str], bool] | None = None  # (cut position, open brackets, innermost is empty)
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
            best = (i + 1, list(stack), True)
        elif ch in "}]":
            if not stack or stack[-1] != ch:
                return None
            stack.pop()
            if not stack:
                return text[: i + 1]
            best = (i + 1, list(stack), False)
        elif ch == "," and stack:
            best = (i, list(stack), False)
    if best is None:
        return None
    cut, open_brackets, empty = best
    return text[:cut] + _closers(open_brackets, empty)


def loads_lenient(text: Any) -> tuple[Any, bool]:
    """``(value, truncated)``: the parsed JSON text, or what a cut-short text completely held.

    ``value`` is None when nothing could be read; ``truncated`` says the text was cut short, and every
    object the repair closed carries ``TRUNCATED: True`` so a caller can tell complete parts from cut ones.
    """
    if not isinstance(text, str) or not text.strip():
        return None, False
    try:
        return json.loads(text), False
    except ValueError:
        pass
    repaired = _repair(text.strip())
    if repaired is None:
        return None, True
    try:
        return json.loads(repaired), True
    except ValueError:
        return None, True
