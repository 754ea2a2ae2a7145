"""A small server-rendered SVG bar chart of a source's counts per run (no script, no external file)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    failed: bool = False


def bar_chart(bars: Sequence[Bar], title: str, width: int = 480, height: int = 120) -> str:
    """SVG markup; every value is escaped. Failed runs are drawn as short hatched markers."""
    if not bars:
        return ""
    top = max(max(b.value for b in bars), 1)
    gap = 2
    step = width / len(bars)
    bar_width = max(step - gap, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 20}" width="100%" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="0" y1="{height}" x2="{width}" y2="{height}" class="axis"/>',
    ]
    for index, bar in enumerate(bars):
        x = index * step
        if bar.failed:
            parts.append(
                f'<rect x="{x:.1f}" y="{height - 6}" width="{bar_width:.1f}" height="6" class="failed">'
                f"<title>{escape(bar.label)}: misslyckad körning</title></rect>"
            )
            continue
        h = round(bar.value / top * (height - 4))
        parts.append(
            f'<rect x="{x:.1f}" y="{height - h}" width="{bar_width:.1f}" height="{max(h, 1)}" class="bar">'
            f"<title>{escape(bar.label)}: {bar.value}</title></rect>"
        )
    parts.append(f'<text x="0" y="{height + 15}" class="scale">0</text>')
    parts.append(f'<text x="{width}" y="12" text-anchor="end" class="scale">max {top}</text>')
    parts.append("</svg>")
    return "".join(parts)
