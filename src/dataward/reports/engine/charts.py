"""Small SVG charts for reports: no script, no external asset, readable when printed."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

INK = "#1f2933"
GRID = "#d9dee3"
PALETTE = {"good": "#2f855a", "fair": "#b7791f", "poor": "#c53030", "none": "#a0aec0"}


def band(score: float | None) -> str:
    """Return the colour band of a 0-100 score."""
    if score is None:
        return "none"
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


def _open(width: float, height: float, size: int = 12) -> str:
    """Return the opening tag of a chart."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'font-family="sans-serif" font-size="{size}">'
    )


def _text(x: float, y: float, value: str, anchor: str = "start", fill: str = INK) -> str:
    """Return an SVG text element (escaped)."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(value)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    """Return an SVG rectangle."""
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}"/>'


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    """Return a light grid line."""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{GRID}"/>'


def bars(items: Sequence[tuple[str, float | None]], width: int = 640) -> str:
    """Return a horizontal bar chart of 0-100 scores with their labels."""
    row, label_w, pad = 26, 230, 8
    height = row * len(items) + 2 * pad + 18
    plot = width - label_w - 60
    out = [_open(width, height)]
    for tick in range(0, 101, 25):
        x = label_w + plot * tick / 100
        out += [_line(x, pad, x, height - 18), _text(x, height - 4, str(tick), "middle")]
    for i, (label, score) in enumerate(items):
        y = pad + i * row
        w = plot * (score or 0) / 100
        shown = "n/a" if score is None else f"{score:.1f}"
        out += [
            _text(label_w - 8, y + 17, label, "end"),
            _rect(label_w, y + 5, w, 16, PALETTE[band(score)]),
            _text(label_w + w + 6, y + 17, shown),
        ]
    return "".join(out) + "</svg>"


def trend(points: Sequence[tuple[str, float | None]], width: int = 640, height: int = 200) -> str:
    """Return a line chart of the overall score over assessments (labels on the x axis)."""
    pad_l, pad_r, pad_t, pad_b = 40, 40, 12, 36
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    step = plot_w / max(1, len(points) - 1)
    out = [_open(width, height, 11)]
    for tick in range(0, 101, 25):
        y = pad_t + plot_h * (1 - tick / 100)
        out += [_line(pad_l, y, width - pad_r, y), _text(pad_l - 6, y + 4, str(tick), "end")]
    known = [
        (pad_l + i * step, pad_t + plot_h * (1 - v / 100), v)
        for i, (_, v) in enumerate(points)
        if v is not None
    ]
    if len(known) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in known)
        out.append(f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="2"/>')
    out += [
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{PALETTE[band(v)]}"/>' for x, y, v in known
    ]
    every = max(1, len(points) // 8)
    for i, (label, _) in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            out.append(_text(pad_l + i * step, height - 12, label, "middle"))
    return "".join(out) + "</svg>"


def heat(rows: Sequence[str], cols: Sequence[str], counts: dict[tuple[str, str], int]) -> str:
    """Return a grid of counts (e.g. failing checks by area and severity), darker when higher."""
    cell_w, cell_h, label_w, head_h = 90, 28, 230, 24
    out = [_open(label_w + cell_w * len(cols), head_h + cell_h * len(rows))]
    top = max(counts.values(), default=0) or 1
    for j, col in enumerate(cols):
        out.append(_text(label_w + j * cell_w + cell_w / 2, 16, col, "middle"))
    for i, row in enumerate(rows):
        y = head_h + i * cell_h
        out.append(_text(label_w - 8, y + 18, row, "end"))
        for j, col in enumerate(cols):
            n = counts.get((row, col), 0)
            shade = 0.12 + 0.88 * n / top if n else 0.0
            x = label_w + j * cell_w
            out.append(
                _rect(
                    x, y, cell_w - 2, cell_h - 2, f"rgba(197,48,48,{shade:.2f})" if n else "#f7fafc"
                )
            )
            out.append(
                _text(
                    x + cell_w / 2 - 1,
                    y + 18,
                    str(n or ""),
                    "middle",
                    "#fff" if shade > 0.55 else INK,
                )
            )
    return "".join(out) + "</svg>"
