"""A small server-rendered SVG bar chart of a source's counts per run (no script, no external file).

Built on the SVG primitives of ``reporting.svg`` (the yearly report's charts use the same opening: role, name,
``<title>`` and ``<desc>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from reporting.svg import svg_open


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    failed: bool = False


def bar_chart(bars: Sequence[Bar], title: str, width: int = 480, height: int = 120, desc: str = "") -> str:
    """SVG markup; every value is escaped. Failed runs are drawn as short markers in the error colour.

    ``desc`` (default: the values in words) is the chart's ``<desc>``."""
    if not bars:
        return ""
    top = max(max(b.value for b in bars), 1)
    pad = 18  # room above the bars for the scale label
    gap = 2
    step = width / max(len(bars), 30)  # a steady bar width whether there are 3 runs or 30
    bar_width = max(step - gap, 1)
    base = pad + height
    if not desc:
        desc = "; ".join(f"{b.label}: {'misslyckad körning' if b.failed else b.value}" for b in bars)
    parts = [
        svg_open(title, desc, width, base + 18),
        f'<text x="0" y="12" class="scale">max {top}</text>',
        f'<line x1="0" y1="{pad}" x2="{width}" y2="{pad}" class="grid"/>',
        f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" class="axis"/>',
        f'<text x="0" y="{base + 14}" class="scale">0</text>',
    ]
    for index, bar in enumerate(bars):
        x = index * step
        if bar.failed:
            parts.append(
                f'<rect x="{x:.1f}" y="{base - 6}" width="{bar_width:.1f}" height="6" class="failed">'
                f"<title>{escape(bar.label)}: misslyckad körning</title></rect>"
            )
            continue
        h = max(round(bar.value / top * height), 1)
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h}" width="{bar_width:.1f}" height="{h}" class="bar">'
            f"<title>{escape(bar.label)}: {bar.value}</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)
