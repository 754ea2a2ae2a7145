"""Server-rendered SVG charts: no script, no external file, no CSS needed. Pure.

Every chart is ``role="img"`` with an accessible name (``aria-label`` and ``<title>``) and a ``<desc>`` that
says in words what it shows; the page shows the same numbers in a table beside it. Colours and patterns are
set as presentation attributes, so a chart looks the same on screen, in print, in a saved file and under a
strict Content-Security-Policy. Colours have at least 4.5:1 contrast against white, every bar has a dark
outline, series differ by pattern as well as colour, and every bar carries its value as text, so colour
never carries meaning alone.

Used by the yearly report (``reporting.charts``) and by the sources page (``web.charts``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

#: text colour, and the series colours (contrast against white: 16.6, 11.6, 6.4, 7.3 and 7.0 : 1)
INK = "#1b1f24"
COLOURS = ("#163a5f", "#2e6b30", "#a4262c", "#595959")
#: fill patterns in series order: solid, diagonal hatching, dots, cross-hatching
PATTERNS = ("solid", "hatch", "dots", "cross")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def svg_open(title: str, desc: str, width: int, height: int, css_class: str = "chart") -> str:
    """The opening of a chart: the ``<svg>`` element with role and name, then ``<title>`` and ``<desc>``."""
    parts = [
        f'<svg class="{escape(css_class)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    if desc:
        parts.append(f"<desc>{escape(desc)}</desc>")
    return "".join(parts)


@dataclass(frozen=True)
class Series:
    """One kind of bar (e.g. "Beviljade"); its colour and pattern follow from its position."""

    label: str


@dataclass(frozen=True)
class Group:
    """One row of bars (e.g. an administration), one value per series."""

    label: str
    values: tuple[int, ...]


def _pattern(chart_id: str, index: int) -> tuple[str, str]:
    """(defs markup, fill value) of series ``index``."""
    colour = COLOURS[index % len(COLOURS)]
    kind = PATTERNS[index % len(PATTERNS)]
    if kind == "solid":
        return "", colour
    pid = f"{chart_id}-p{index}"
    if kind == "hatch":
        body = f'<rect width="6" height="6" fill="{colour}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/>'
        attrs = 'width="6" height="6" patternTransform="rotate(45)"'
    elif kind == "dots":
        body = f'<rect width="6" height="6" fill="{colour}"/><circle cx="3" cy="3" r="1.3" fill="#ffffff"/>'
        attrs = 'width="6" height="6"'
    else:
        body = (
            f'<rect width="8" height="8" fill="{colour}"/><path d="M0 4H8M4 0V8" stroke="#ffffff" stroke-width="1.5"/>'
        )
        attrs = 'width="8" height="8" patternTransform="rotate(45)"'
    return f'<pattern id="{pid}" patternUnits="userSpaceOnUse" {attrs}>{body}</pattern>', f"url(#{pid})"


def _wrap(label: str, limit: int = 30) -> list[str]:
    """A label on at most two lines of about ``limit`` characters (the second shortened with "…")."""
    if len(label) <= limit:
        return [label]
    cut = label.rfind(" ", 0, limit + 1)
    if cut <= 0:
        cut = label.rfind("-", 0, limit) + 1 or limit
    first, rest = label[:cut].rstrip(), label[cut:].lstrip()
    if len(rest) > limit:
        rest = rest[: limit - 1].rstrip() + "…"
    return [first, rest]


def grouped_bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    groups: Sequence[Group],
    series: Sequence[Series],
    value_text: Callable[[int], str] = str,
    width: int = 720,
) -> str:
    """Horizontal bars, one row per group and one bar per series, with a legend above; ``""`` when no groups.

    ``chart_id`` keeps pattern ids unique when several charts are on one page (letters, digits and "-").
    """
    if not groups or not series:
        return ""
    label_width, value_room, bar_height, gap, group_gap = 240, 130, 16, 3, 14
    legend_height = 30
    bar_area = width - label_width - value_room
    top = max([v for g in groups for v in g.values] + [1])
    group_height = len(series) * (bar_height + gap) - gap
    height = legend_height + len(groups) * (group_height + group_gap) + 8
    fills = [_pattern(chart_id, i) for i in range(len(series))]
    text = f'font-family="{FONT}" fill="{INK}"'
    parts = [svg_open(title, desc, width, height, css_class="bar-chart")]
    defs = "".join(d for d, _ in fills if d)
    if defs:
        parts.append(f"<defs>{defs}</defs>")
    parts.append(f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>')
    # legend: a swatch with the same fill and outline as the bars, then the label
    x = label_width
    for index, item in enumerate(series):
        colour, fill = COLOURS[index % len(COLOURS)], fills[index][1]
        parts.append(
            f'<rect x="{x}" y="6" width="16" height="16" fill="{fill}" stroke="{colour}" stroke-width="1.5"/>'
            f'<text x="{x + 22}" y="19" font-size="13" {text}>{escape(item.label)}</text>'
        )
        x += 22 + int(len(item.label) * 7.5) + 24
    y = legend_height
    parts.append(
        f'<line x1="{label_width}" y1="{y - 4}" x2="{label_width}" y2="{height - 4}" stroke="#6b7682" stroke-width="1"/>'
    )
    for group in groups:
        lines = _wrap(group.label)
        middle = y + group_height / 2
        first_line = middle - (len(lines) - 1) * 8 + 4
        parts.append(f'<text x="{label_width - 8}" y="{first_line:.1f}" font-size="13" text-anchor="end" {text}>')
        for number, line in enumerate(lines):
            dy = "0" if number == 0 else "16"
            parts.append(f'<tspan x="{label_width - 8}" dy="{dy}">{escape(line)}</tspan>')
        parts.append("</text>")
        for index, item in enumerate(series):
            value = group.values[index] if index < len(group.values) else 0
            colour, fill = COLOURS[index % len(COLOURS)], fills[index][1]
            length = round(value / top * bar_area, 1) if value > 0 else 0
            shown = value_text(value)
            parts.append(
                f"<g><title>{escape(group.label)} – {escape(item.label)}: {escape(shown)}</title>"
                f'<rect x="{label_width}" y="{y}" width="{max(length, 1.5)}" height="{bar_height}" fill="{fill}" '
                f'stroke="{colour}" stroke-width="1.5"/>'
                f'<text x="{label_width + length + 6}" y="{y + bar_height - 4}" font-size="12" {text}>'
                f"{escape(shown)}</text></g>"
            )
            y += bar_height + gap
        y += group_gap - gap
    parts.append("</svg>")
    return "".join(parts)
