"""Static SVG charts, drawn here so the report and the page open with no network and no scripts.

Each chart has a title and a description for screen readers, and lines differ by dash pattern as well as colour.
"""

from __future__ import annotations

import html

COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#6f72af", "#505a5f")
DASHES = ("", "6 4", "2 3", "8 3 2 3", "1 2")


def _svg_open(width: int, height: int, title: str, description: str, key: str) -> list[str]:
    """The opening of a chart; `key` keeps its title and description ids unique on a page with several charts."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{key}-title {key}-desc" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="system-ui, sans-serif" '
        'font-size="12">',
        f'<title id="{key}-title">{html.escape(title)}</title>',
        f'<desc id="{key}-desc">{html.escape(description)}</desc>',
    ]


def incidence_curves(weeks: list[int], curves: dict[str, list[float]], title: str) -> str:
    """Cumulative incidence (0 to the largest value, rounded up) against weeks, one line per duration band."""
    width, height, left, top, plot_w, plot_h = 640, 340, 56, 36, 440, 240
    shown = {k: v for k, v in curves.items() if v}
    top_value = max([0.05, *(max(v) for v in shown.values())])
    y_max = min(1.0, (int(top_value * 20) + 1) / 20)
    span = max(weeks[-1], 1)

    def x(week: float) -> float:
        return left + plot_w * week / span

    def y(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    description = "; ".join(f"{band}: {100 * values[-1]:.1f}% by week {weeks[-1]}" for band, values in shown.items())
    parts = _svg_open(width, height, title, f"Cumulative incidence of a repeat referral. {description}.", "curves")
    parts.append(f'<text x="0" y="16" font-weight="bold" font-size="14">{html.escape(title)}</text>')
    step = 0.05 if y_max <= 0.3 else 0.1
    tick = 0.0
    while tick <= y_max + 1e-9:
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{100 * tick:.0f}%</text>')
        tick += step
    for week in range(0, weeks[-1] + 1, 13):
        parts.append(f'<text x="{x(week):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{week}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{top + plot_h + 34}" text-anchor="middle">Weeks since support ended</text>'
    )
    for i, (band, values) in enumerate(shown.items()):
        points = []
        for j, (week, value) in enumerate(zip(weeks, values, strict=True)):
            if j:
                points.append(f"{x(week):.1f},{y(values[j - 1]):.1f}")  # a step: flat, then up
            points.append(f"{x(week):.1f},{y(value):.1f}")
        dash = f' stroke-dasharray="{DASHES[i % len(DASHES)]}"' if DASHES[i % len(DASHES)] else ""
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{" ".join(points)}"/>')
        ly = top + 14 + 20 * i
        parts.append(
            f'<line x1="{left + plot_w + 12}" x2="{left + plot_w + 36}" y1="{ly}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        parts.append(f'<text x="{left + plot_w + 40}" y="{ly + 4}">{html.escape(band)}</text>')
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#888"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#888"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def difference_chart(rows: list[tuple[str, float, float, float]], title: str) -> str:
    """Risk differences (percentage points) with 95% intervals, one row each, and a dashed line at no difference."""
    width, left, plot_w, row_h, top = 640, 250, 340, 30, 36
    height = top + row_h * len(rows) + 50
    values = [v for _, e, lo, hi in rows for v in (e, lo, hi)] + [0.0]
    low, high = min(values), max(values)
    pad = 0.1 * (high - low or 0.1)
    low, high = low - pad, high + pad

    def x(value: float) -> float:
        return left + plot_w * (value - low) / (high - low)

    description = "; ".join(
        f"{label}: {100 * e:+.1f} points (95% interval {100 * lo:+.1f} to {100 * hi:+.1f})" for label, e, lo, hi in rows
    )
    parts = _svg_open(width, height, title, description, "comparison")
    parts.append(f'<text x="0" y="16" font-weight="bold" font-size="14">{html.escape(title)}</text>')
    for i, (label, estimate, lo, hi) in enumerate(rows):
        y = top + row_h * i + row_h / 2
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<text x="{left - 10}" y="{y + 4}" text-anchor="end">{html.escape(label)}</text>')
        parts.append(
            f'<line x1="{x(lo):.1f}" x2="{x(hi):.1f}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="2"/>'
            f'<circle cx="{x(estimate):.1f}" cy="{y}" r="5" fill="{colour}"/>'
        )
    bottom = top + row_h * len(rows)
    parts.append(
        f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top - 4}" y2="{bottom}" stroke="#000" stroke-dasharray="4 4"/>'
    )
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{bottom}" y2="{bottom}" stroke="#888"/>')
    for value in (low, 0.0, high):
        label = "0" if value == 0 else f"{100 * value:+.0f}"
        parts.append(f'<text x="{x(value):.1f}" y="{bottom + 16}" text-anchor="middle">{label}</text>')
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{bottom + 34}" text-anchor="middle">'
        "Change in the 52-week risk of a repeat referral (percentage points)</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)
