"""Reading the published assessments for the commissioners' pages: aggregates only, as the engine wrote them."""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from carehub.assessments.services import results_dir
from carehub.core import published as files

# The names a published assessment may have; a folder is looked up only by one of these, never by a path from a URL.
PUBLISHED = {"hub": "Care Hub: referral, routing to by-and-for services, and outcomes"}


@dataclass
class Chart:
    """One measure by one characteristic: a Vega-Lite spec, and the same figures as a table and a CSV."""

    key: str  # unique on the page, used for the element ids
    characteristic: str
    title: str
    spec: dict
    rows: list[dict]  # group, value, interval, finding: what the chart draws, in words

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"


@dataclass
class MetricSummary:
    name: str
    label: str
    findings: list[dict] = field(default_factory=list)  # headline adverse or favourable rows
    groups: list[dict] = field(default_factory=list)  # headline rows by characteristic, suppression applied
    overall: dict | None = None
    headline: str = ""  # the plain-language headline: the figure for everyone, then the largest gap
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Published:
    name: str
    title: str
    document: dict | None  # results.json, or None when it has not been published yet

    @functools.cached_property
    def metrics(self) -> list[MetricSummary]:
        if not self.document:
            return []
        from carehub.insight.equality.findings import LABELS  # not at import: it loads the statistics stack

        threshold = self.document["suppression"]["threshold"]
        summaries: dict[str, MetricSummary] = {}
        for row in self.document["results"]:
            summary = summaries.setdefault(row["metric"], MetricSummary(row["metric"], row["metric_label"]))
            if row["scope"] == "overall":
                summary.overall = row
            if row["family"] != "headline" or row["scope"] != "group":
                continue
            row = {**row, "finding_label": LABELS.get(row["finding"], row["finding"]), **_texts(row, threshold)}
            summary.groups.append(row)
            if row["finding"] in ("adverse", "favourable"):
                summary.findings.append(row)
        for summary in summaries.values():
            summary.headline = headline(summary)
            summary.charts = _charts(summary)
        return list(summaries.values())

    def chart(self, metric: str, characteristic: str) -> Chart | None:
        summary = next((m for m in self.metrics if m.name == metric), None)
        if summary is None:
            return None
        return next((c for c in summary.charts if c.characteristic == characteristic), None)


def headline(summary: MetricSummary) -> str:
    """One sentence a commissioner can repeat: the figure for everyone first, then the largest gap between a group
    and its reference in absolute terms (percentage points, a rate's difference, days), then the ratio."""
    overall = summary.overall
    if overall is None or overall.get("value") is None:
        opening = f"{summary.label}: no overall figure can be published."
    else:
        opening = f"{summary.label}: {_figure(overall)} for everyone{_of(overall)}."
    compared = [
        r for r in summary.groups
        if not r.get("suppressed") and r.get("value") is not None and r.get("reference_value") is not None
        and r["finding"] not in ("reference", "not_compared")
    ]  # fmt: skip
    if not compared:
        return opening
    widest = max(
        compared, key=lambda r: (r["finding"] in ("adverse", "favourable"), abs(r["value"] - r["reference_value"]))
    )
    gap = widest["value"] - widest["reference_value"]
    who = widest["group_label"] + (f" ({widest['recorded_as']})" if widest.get("recorded_as") else "")
    ratio = f"{widest['ratio']:.2f} times" if widest.get("ratio") is not None else "no ratio"
    return (
        f"{opening} The widest gap: {who}, {_figure(widest)} against {_figure(widest, reference=True)} for "
        f"{widest['reference_label']}, {_difference(widest, gap)} ({ratio}; "
        f"{LABELS_TEXT.get(widest['finding'], widest['finding']).lower()})."
    )


LABELS_TEXT = {
    "adverse": "Adverse",
    "favourable": "Favourable",
    "no_evidence": "No evidence of a difference beyond chance",
    "too_few": "Too few to say",
}


def _figure(row: dict, *, reference: bool = False) -> str:
    value = row["reference_value" if reference else "value"]
    if row["kind"] == "proportion":
        return f"{100 * value:.1f}%"
    if row["kind"] == "rate":
        return f"{value:,.1f} {row['unit']}"
    return f"a median of {value:,.1f} {row['unit']}"


def _of(row: dict) -> str:
    if row["kind"] == "proportion" and row.get("count") is not None and row.get("denominator") is not None:
        return f" ({row['count']:,} of {row['denominator']:,})"
    return ""


def _difference(row: dict, gap: float) -> str:
    direction = "higher" if gap > 0 else "lower"
    if row["kind"] == "proportion":
        return f"{abs(100 * gap):.1f} percentage points {direction}"
    if row["kind"] == "rate":
        return f"{abs(gap):,.1f} {row['unit']} {direction}"
    return f"{abs(gap):,.1f} {row['unit']} {'longer' if gap > 0 else 'shorter'}"


def _charts(summary: MetricSummary) -> list[Chart]:
    from carehub.insight.equality.charts import group_chart, group_values

    charts = []
    by_characteristic: dict[str, list[dict]] = {}
    for row in summary.groups:
        by_characteristic.setdefault(row["characteristic"], []).append(row)
    for characteristic, rows in by_characteristic.items():
        data = group_values(rows)
        if not len(data):
            continue
        first = rows[0]
        described = first.get("recorded_as") or first["characteristic_label"]
        unit = {"proportion": "%", "rate": first["unit"], "duration": f"median {first['unit']}"}[first["kind"]]
        title = f"{summary.label}, by {described}"
        description = f"{summary.label} for each group ({unit}), with 95% intervals; the same figures are in the table."
        spec = group_chart(data, title, f"{summary.label} ({unit})", description)
        table = [
            {
                "group": r["group_label"],
                "value": r["value_text"] or r["number_text"],
                "interval": _interval_text(r),
                "finding": r["finding_label"],
            }
            for r in rows
        ]
        charts.append(Chart(f"{summary.name}-{characteristic}", characteristic, title, spec, table))
    return charts


def _interval_text(row: dict) -> str:
    low, high = row.get("low"), row.get("high")
    if row.get("suppressed") or low is None or high is None:
        return ""
    if row["kind"] == "proportion":
        return f"{100 * low:.1f}% to {100 * high:.1f}%"
    return f"{low:,.1f} to {high:,.1f}"


def _texts(row: dict, threshold: int = 10) -> dict:
    """The number and the value as a reader says them: "47 of 214" and "22.0%", "13.9 days (median)"."""
    count, value, unit = row.get("count"), row.get("value"), row.get("unit") or ""
    if row.get("suppressed"):
        words = {
            "fewer_than_threshold": f"Fewer than {threshold}",
            "protects_small_group": "Hidden to protect a small group",
        }.get(row.get("suppression"), "Too few to show")
        return {"number_text": words, "value_text": ""}
    if count is None:
        return {"number_text": "", "value_text": ""}
    if row["kind"] == "proportion":
        number = f"{count:,} of {row['denominator']:,.0f}" if row.get("denominator") is not None else f"{count:,}"
        shown = "" if value is None else f"{value * 100:.1f}%"
    elif row["kind"] == "rate":
        number, shown = f"{count:,}", "" if value is None else f"{value:.2f} {unit}"
    else:
        number, shown = f"{count:,}", "" if value is None else f"{value:.1f} {unit} (median)"
    return {"number_text": number, "value_text": shown}


# The last assessment read under each name, by the digest of its results.json: a page that shows one builds its
# summaries and its forty-odd Vega-Lite charts (seconds of CPU) once per published file, not once per request.
# Publishing again writes a new file, which has a new digest. Read-only once made: the pages only read it.
_LAST_READ: dict[str, tuple[bytes, Published]] = {}
_LAST_READ_LOCK = threading.Lock()


def published(name: str) -> Published | None:
    """The published assessment called `name`, or None for a name that is not one of PUBLISHED."""
    if name not in PUBLISHED:
        return None
    path = results_dir() / name / "results.json"
    if not path.exists():
        return Published(name, PUBLISHED[name], None)
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).digest()
    with _LAST_READ_LOCK:
        last = _LAST_READ.get(name)
    if last is not None and last[0] == digest:
        return last[1]
    read = Published(name, PUBLISHED[name], json.loads(raw.decode("utf-8")))
    with _LAST_READ_LOCK:
        _LAST_READ[name] = (digest, read)
    return read


def published_all() -> list[Published]:
    return [p for p in (published(name) for name in PUBLISHED) if p is not None]


def published_file(name: str, kind: str) -> tuple[Path, str] | None:
    """(path, content type) of one output file of a published assessment, if both names are known and it exists."""
    return files.published_file(results_dir() / name, kind) if name in PUBLISHED else None
