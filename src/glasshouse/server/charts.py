"""Inline SVG charts, drawn on the server: no script, no style attributes (the CSP has no
'unsafe-inline'), each with a title for screen readers and a tooltip per bar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

SEVERITY_COLOURS = {
    "critical": "#7f1d1d",
    "high": "#dc2626",
    "medium": "#d97706",
    "low": "#2563eb",
    "unknown": "#6b7280",
}
INK = "#111827"


def _open(title: str, width: int, height: int) -> str:
    return (
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    )


def _text(x: float, y: float, content: str, size: int = 13, fill: str = INK) -> str:
    return f'<text x="{x:g}" y="{y:g}" font-size="{size}" fill="{fill}">{escape(content)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}">'
        f"<title>{escape(tip)}</title></rect>"
    )


def bars(
    title: str, items: Sequence[tuple[str, int]], colours: dict[str, str] | None = None
) -> Markup:
    """Horizontal bars, one per (label, value)."""
    width, row, label_w = 420, 26, 110
    height = row * max(len(items), 1) + 10
    top = max((v for _, v in items), default=0) or 1
    parts = [_open(title, width, height)]
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        length = 0 if value == 0 else max(2, round((width - label_w - 60) * value / top))
        colour = (colours or {}).get(label, "#0f766e")
        parts.append(_text(0, y + 17, label))
        parts.append(_rect(label_w, y + 4, length, row - 8, colour, f"{label}: {value}"))
        parts.append(_text(label_w + length + 6, y + 17, str(value)))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def daily(
    title: str,
    days: Sequence[tuple[date, int, int]],
    labels: tuple[str, str],
    colours: tuple[str, str],
) -> Markup:
    """Two bars a day (e.g. new and fixed findings) over a run of days."""
    width, height, bottom, left = 640, 180, 24, 36
    base = height - bottom
    top = max((max(a, b) for _, a, b in days), default=0) or 1
    slot = (width - left) / max(len(days), 1)
    bar = max(slot / 2 - 1, 1)
    parts = [
        _open(title, width, height),
        f'<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" stroke="#9ca3af"/>',
        _text(0, 12, str(top), 11),
        _text(0, base, "0", 11),
    ]
    scale = (base - 16) / top
    for i, (day, a, b) in enumerate(days):
        x = left + i * slot
        for j, value in enumerate((a, b)):
            h = round(value * scale, 1)
            tip = f"{day.isoformat()}: {value} {labels[j]}"
            parts.append(_rect(x + j * bar, base - h, bar, h, colours[j], tip))
        if i % 7 == 0 or i == len(days) - 1:
            parts.append(_text(x, height - 6, day.strftime("%d %b"), 10))
    legend_x = width - 200
    for j, label in enumerate(labels):
        parts.append(_rect(legend_x + j * 100, 2, 10, 10, colours[j], label))
        parts.append(_text(legend_x + j * 100 + 14, 11, label, 11))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
