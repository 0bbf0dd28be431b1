"""Charts as inline SVG, drawn in Python: a page that carries them reads offline, with no script and no CDN.

Amounts arrive as exact Decimals; they become floats only for geometry, and every printed label is
formatted from the Decimal. Each chart is a complete <svg> element with a <title> for screen readers.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from decimal import Decimal

PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#bab0ac", "#86bcb6", "#d37295", "#a0cbe8", "#ffbe7d", "#8cd17d", "#b6992d", "#499894", "#d4a6c8",
)  # fmt: skip
FONT = 12
WIDTH = 960  # pixels; a page scales a chart down to its width (max-width: 100%)
LABEL = "#333"
GRID = "#ddd"


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def amount_words(value: Decimal) -> str:
    """An amount in 万元 as a label: thousands separated, two decimals."""
    return f"{value:,.2f}"


def _e(text: object) -> str:
    return html.escape(str(text))


def _svg(width: int, height: int, title: str, body: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        f' role="img" font-size="{FONT}"><title>{_e(title)}</title>' + "".join(body) + "</svg>"
    )


def _ticks(top: Decimal) -> list[Decimal]:
    """About five round steps from 0 to at least `top`."""
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = top / 5
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal("0.1")
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    ticks = [Decimal(0)]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def _legend(names: Sequence[str], x: int, y: int, width: int) -> tuple[list[str], int]:
    """Legend entries flowing left to right over lines; returns the elements and the height used."""
    parts, cx, cy = [], x, y
    for index, name in enumerate(names):
        span = 18 + FONT * len(name) + 14
        if cx + span > x + width and cx > x:
            cx, cy = x, cy + FONT + 8
        parts.append(f'<rect x="{cx}" y="{cy}" width="12" height="12" fill="{color(index)}"/>')
        parts.append(f'<text x="{cx + 16}" y="{cy + 11}" fill="{LABEL}">{_e(name)}</text>')
        cx += span
    return parts, cy - y + FONT + 8


def stacked_columns(
    title: str, categories: Sequence[str], series: Mapping[str, Sequence[Decimal]], unit: str = "万元"
) -> str:
    """One column per category (a year), stacked by series (a 类); each column's total printed above it."""
    width, plot_height, left, right, top = WIDTH, 300, 90, 20, 30
    legend, legend_height = _legend(list(series), left, 0, width - left - right)
    totals = [sum((values[i] for values in series.values()), Decimal(0)) for i in range(len(categories))]
    ticks = _ticks(max(totals, default=Decimal(0)))
    scale = plot_height / float(ticks[-1])
    base = top + plot_height
    body = [f'<text x="{left}" y="16" font-weight="bold" fill="{LABEL}">{_e(title)}（{_e(unit)}）</text>']
    body += _y_axis(ticks, scale, left, width - right, base)
    slot = (width - left - right) / max(len(categories), 1)
    bar = min(70.0, slot * 0.6)
    for i, category in enumerate(categories):
        x = left + slot * i + (slot - bar) / 2
        y = float(base)
        for s, (name, values) in enumerate(series.items()):
            h = float(values[i]) * scale
            if h <= 0:
                continue
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{color(s)}">'
                f"<title>{_e(category)} {_e(name)}：{amount_words(values[i])} {_e(unit)}</title></rect>"
            )
        body.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="{LABEL}">'
                    f"{amount_words(totals[i])}</text>")  # fmt: skip
        body.append(f'<text x="{x + bar / 2:.1f}" y="{base + 16}" text-anchor="middle" fill="{LABEL}">'
                    f"{_e(category)}</text>")  # fmt: skip
    legend_top = base + 30
    body += _shift(legend, legend_top)
    return _svg(width, legend_top + legend_height + 4, title, body)


def _shift(parts: Sequence[str], dy: int) -> list[str]:
    """Legend elements drawn at y=0, moved down by dy."""
    out = []
    for part in parts:
        head, _, rest = part.partition(' y="')
        value, _, tail = rest.partition('"')
        out.append(f'{head} y="{float(value) + dy:.0f}"{tail}')
    return out


def _y_axis(ticks: Sequence[Decimal], scale: float, left: int, right: int, base: int) -> list[str]:
    parts = []
    for tick in ticks:
        y = base - float(tick) * scale
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{LABEL}">{amount_words(tick)}</text>'
        )
    return parts


def horizontal_bars(
    title: str, labels: Sequence[str], series: Mapping[str, Sequence[Decimal | None]], unit: str = "万元"
) -> str:
    """One group of bars per label (a department), one bar per series (budget, final), values printed."""
    names = list(series)
    label_width = min(340, 14 + FONT * max((len(label) for label in labels), default=4))
    width, right, top = WIDTH, 110, 30
    bar, gap = 14, 10
    group = bar * len(names) + gap
    plot_width = width - label_width - right
    peak = max((v for values in series.values() for v in values if v is not None), default=Decimal(0))
    scale = plot_width / float(peak) if peak > 0 else 0.0
    body = [f'<text x="0" y="16" font-weight="bold" fill="{LABEL}">{_e(title)}（{_e(unit)}）</text>']
    for i, label in enumerate(labels):
        y0 = top + group * i
        body.append(f'<text x="{label_width - 8}" y="{y0 + group / 2 - 1:.1f}" text-anchor="end" fill="{LABEL}">'
                    f"{_e(label)}</text>")  # fmt: skip
        for s, name in enumerate(names):
            value = series[name][i]
            if value is None:  # not published: no bar, not a zero
                continue
            y = y0 + bar * s
            w = max(float(value) * scale, 0.0)
            body.append(
                f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{color(s)}">'
                f"<title>{_e(label)} {_e(name)}：{amount_words(value)} {_e(unit)}</title></rect>"
            )
            body.append(f'<text x="{label_width + w + 4:.1f}" y="{y + bar - 4}" fill="{LABEL}" font-size="11">'
                        f"{amount_words(value)}</text>")  # fmt: skip
    legend_top = top + group * len(labels) + 6
    legend, legend_height = _legend(names, label_width, 0, plot_width) if len(names) > 1 else ([], 0)
    body += _shift(legend, legend_top)
    return _svg(width, legend_top + legend_height + 4, title, body)


def lines(
    title: str, categories: Sequence[str], series: Mapping[str, Sequence[Decimal | None]], unit: str = "万元"
) -> str:
    """One line per series over the categories (years); a missing value breaks the line."""
    width, plot_height, left, right, top = WIDTH, 260, 90, 30, 30
    values = [v for vs in series.values() for v in vs if v is not None]
    ticks = _ticks(max(values, default=Decimal(0)))
    scale = plot_height / float(ticks[-1])
    base = top + plot_height
    body = [f'<text x="{left}" y="16" font-weight="bold" fill="{LABEL}">{_e(title)}（{_e(unit)}）</text>']
    body += _y_axis(ticks, scale, left, width - right, base)
    step = (width - left - right) / max(len(categories) - 1, 1)
    xs = [left + step * i if len(categories) > 1 else (left + width - right) / 2 for i in range(len(categories))]
    for i, category in enumerate(categories):
        body.append(f'<text x="{xs[i]:.1f}" y="{base + 16}" text-anchor="middle" fill="{LABEL}">{_e(category)}</text>')
    for s, (name, points) in enumerate(series.items()):
        segment: list[str] = []
        for i, value in enumerate(points):
            if value is None:
                body += _polyline(segment, color(s))
                segment = []
                continue
            x, y = xs[i], base - float(value) * scale
            segment.append(f"{x:.1f},{y:.1f}")
            tip = f"{categories[i]} {name}：{amount_words(value)} {unit}"
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color(s)}"><title>{_e(tip)}</title></circle>'
            )
        body += _polyline(segment, color(s))
    legend, legend_height = _legend(list(series), left, 0, width - left - right)
    body += _shift(legend, base + 30)
    return _svg(width, base + 30 + legend_height + 4, title, body)


def _polyline(points: Sequence[str], stroke: str) -> list[str]:
    if len(points) < 2:
        return []
    return [f'<polyline points="{" ".join(points)}" fill="none" stroke="{stroke}" stroke-width="2"/>']
