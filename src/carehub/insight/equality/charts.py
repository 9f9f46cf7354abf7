"""Forest plots of ratios with their intervals: an Altair (Vega-Lite) chart, drawn to inline SVG for the report.

The report must open with no network, so charts are inline SVG. With `vl-convert-python` installed the Altair
chart itself is rendered to SVG; without it, the same chart (same data, log axis, reference line at 1, colours by
finding) is drawn by a small SVG writer here, so a report is never missing its charts. The Vega-Lite JSON is
returned as well, for dashboards that render it themselves.
"""

from __future__ import annotations

import html
import math

import altair as alt
import pandas as pd

COLOURS = {
    "adverse": "#b3261e",
    "favourable": "#1d70b8",
    "no_evidence": "#505a5f",
    "too_few": "#b1b4b6",
}
FINDING_NAMES = {
    "adverse": "Adverse",
    "favourable": "Favourable",
    "no_evidence": "No evidence of difference",
    "too_few": "Too few to say",
}


def forest_data(rows: list[dict]) -> pd.DataFrame:
    """The compared groups with a ratio and both interval ends (suppressed or undefined ones are left out)."""
    records = [
        {
            "group": r["group_label"]
            if r.get("scope") != "intersection"
            else f"{r['group_label']} & {r['by_group_label']}",
            "ratio": r["ratio"],
            "low": r.get("adjusted_low") or r["ratio_low"],
            "high": r.get("adjusted_high") or r["ratio_high"],
            "finding": FINDING_NAMES.get(r["finding"], r["finding"]),
            "code": r["finding"],
        }
        for r in rows
        if r.get("ratio")
        and (r.get("adjusted_low") or r.get("ratio_low"))
        and (r.get("adjusted_high") or r.get("ratio_high"))
    ]
    return pd.DataFrame.from_records(records, columns=["group", "ratio", "low", "high", "finding", "code"])


def forest_chart(data: pd.DataFrame, title: str, reference: str) -> alt.LayerChart:
    """Ratio to the reference group on a log axis, 95% interval as a rule, a line at 1 (no difference)."""
    order = list(data["group"])
    scale = alt.Scale(type="log", domain=_domain(data))
    colour = alt.Color(
        "finding:N",
        scale=alt.Scale(domain=list(FINDING_NAMES.values()), range=[COLOURS[k] for k in FINDING_NAMES]),
        legend=alt.Legend(title="Finding", orient="bottom"),
    )
    y = alt.Y("group:N", sort=order, title=None)
    base = alt.Chart(data)
    rules = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("low:Q", scale=scale, title=f"Ratio to {reference} (log scale)"), x2="high:Q", y=y, color=colour
    )
    points = base.mark_point(filled=True, size=60).encode(x=alt.X("ratio:Q", scale=scale), y=y, color=colour)
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(strokeDash=[4, 4], color="black").encode(x="x:Q")
    return (rules + points + one).properties(title=title, width=420, height=max(60, 22 * len(data)))


def forest_svg(data: pd.DataFrame, title: str, reference: str) -> str:
    """Inline SVG of one forest plot: Vega-Lite's drawing where vl-convert is installed, else our own.

    The Altair chart is built only to be drawn: building and validating one for every plot, even where vl-convert is
    missing (it is no dependency of Care Hub's) and the plot was drawn by `_draw`, was a fifth of the CPU of the
    stop-and-search assessment (0.8 of 3.9 s)."""
    try:
        import vl_convert
    except ImportError:
        return _draw(data, title, reference)
    return vl_convert.vegalite_to_svg(forest_chart(data, title, reference).to_dict())


def _domain(data: pd.DataFrame) -> list[float]:
    low = min([1.0, *data["low"].tolist()])
    high = max([1.0, *data["high"].tolist()])
    return [2 ** math.floor(math.log2(low)), 2 ** math.ceil(math.log2(high))]


def _draw(data: pd.DataFrame, title: str, reference: str) -> str:
    """The forest plot as plain SVG: labels on the left, log axis below, a dashed line at 1."""
    label_width, plot_width, row_height, top = 260, 420, 22, 34
    height = top + row_height * len(data) + 60
    low, high = (math.log(v) for v in _domain(data))

    def x(value: float) -> float:
        return label_width + plot_width * (math.log(value) - low) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_width + plot_width + 20}" '
        f'height="{height}" viewBox="0 0 {label_width + plot_width + 20} {height}" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{html.escape(title)}</title>",
        f"<desc>Ratio to {html.escape(reference)} for each group, with 95% intervals, on a log scale.</desc>",
        f'<text x="0" y="16" font-weight="bold" font-size="14">{html.escape(title)}</text>',
    ]
    for i, row in enumerate(data.itertuples()):
        y = top + row_height * i + row_height / 2
        colour = COLOURS.get(row.code, "#505a5f")
        parts.append(f'<text x="{label_width - 8}" y="{y + 4}" text-anchor="end">{html.escape(str(row.group))}</text>')
        parts.append(
            f'<line x1="{x(row.low):.1f}" x2="{x(row.high):.1f}" y1="{y}" y2="{y}" stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(
            f'<circle cx="{x(row.ratio):.1f}" cy="{y}" r="4" fill="{colour}"><title>'
            f"{html.escape(str(row.group))}: {row.ratio:.2f} ({row.low:.2f} to {row.high:.2f}), "
            f"{html.escape(row.finding)}</title></circle>"
        )
    bottom = top + row_height * len(data)
    parts.append(
        f'<line x1="{x(1):.1f}" x2="{x(1):.1f}" y1="{top - 4}" y2="{bottom}" stroke="black" stroke-dasharray="4 4"/>'
    )
    parts.append(
        f'<line x1="{label_width}" x2="{label_width + plot_width}" y1="{bottom}" y2="{bottom}" stroke="#888"/>'
    )
    tick = math.exp(low)
    while tick <= math.exp(high) * 1.0001:
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{bottom}" y2="{bottom + 5}" stroke="#888"/>')
        parts.append(f'<text x="{x(tick):.1f}" y="{bottom + 18}" text-anchor="middle">{_tick(tick)}</text>')
        tick *= 2
    parts.append(
        f'<text x="{label_width + plot_width / 2}" y="{bottom + 36}" text-anchor="middle">'
        f"Ratio to {html.escape(reference)} (log scale)</text>"
    )
    legend_x = 10.0
    for code, name in FINDING_NAMES.items():
        parts.append(f'<circle cx="{legend_x}" cy="{bottom + 50}" r="4" fill="{COLOURS[code]}"/>')
        parts.append(f'<text x="{legend_x + 8}" y="{bottom + 54}">{name}</text>')
        legend_x += 8 + 7 * len(name) + 16
    parts.append("</svg>")
    return "\n".join(parts)


def _tick(value: float) -> str:
    return f"{value:g}" if value >= 1 else f"{value:.3g}"


def group_values(rows: list[dict]) -> pd.DataFrame:
    """Each group's own figure with its 95% interval, in the units a reader uses (percentages for shares), for the
    commissioner's page: the absolute figures first, the ratio beside them. Suppressed groups are left out."""
    records = []
    for r in rows:
        if r.get("suppressed") or r.get("value") is None:
            continue
        scale = 100.0 if r["kind"] == "proportion" else 1.0
        records.append(
            {
                "group": r["group_label"],
                "value": r["value"] * scale,
                "low": None if r.get("low") is None else r["low"] * scale,
                "high": None if r.get("high") is None else r["high"] * scale,
                "finding": "Reference group" if r["finding"] == "reference" else FINDING_NAMES.get(r["finding"], ""),
            }
        )
    return pd.DataFrame.from_records(records, columns=["group", "value", "low", "high", "finding"])


def group_chart(data: pd.DataFrame, title: str, axis: str, description: str) -> dict:
    """A Vega-Lite bar chart of each group's figure with its interval: the spec the page hands to vega-embed."""
    colours = {**{FINDING_NAMES[k]: COLOURS[k] for k in FINDING_NAMES}, "Reference group": "#0b0c0c", "": "#505a5f"}
    colour = alt.Color(
        "finding:N",
        scale=alt.Scale(domain=list(colours), range=list(colours.values())),
        legend=alt.Legend(title="Finding", orient="bottom"),
    )
    y = alt.Y("group:N", sort=list(data["group"]), title=None)
    base = alt.Chart(data)
    bars = base.mark_bar(opacity=0.85).encode(x=alt.X("value:Q", title=axis), y=y, color=colour)
    interval = base.mark_rule(color="#0b0c0c").encode(x="low:Q", x2="high:Q", y=y)
    chart = (bars + interval).properties(
        title=title, width="container", height=max(80, 26 * len(data)), description=description
    )
    return chart.to_dict()
