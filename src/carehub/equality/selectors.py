"""Reading the published assessments for the commissioners' pages: aggregates only, as the engine wrote them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from carehub.equality.services import results_dir

# The names a published assessment may have; a folder is looked up only by one of these, never by a path from a URL.
PUBLISHED = {"hub": "Care Hub: referral, routing to by-and-for services, and outcomes"}
FILES = {"report": ("report.html", "text/html; charset=utf-8"), "csv": ("results.csv", "text/csv; charset=utf-8")}


@dataclass
class MetricSummary:
    name: str
    label: str
    findings: list[dict] = field(default_factory=list)  # headline adverse or favourable rows
    groups: list[dict] = field(default_factory=list)  # headline rows by characteristic, suppression applied


@dataclass
class Published:
    name: str
    title: str
    document: dict | None  # results.json, or None when it has not been published yet

    @property
    def metrics(self) -> list[MetricSummary]:
        if not self.document:
            return []
        from carehub.insight.equality.findings import LABELS  # not at import: it loads the statistics stack

        summaries: dict[str, MetricSummary] = {}
        for row in self.document["results"]:
            summary = summaries.setdefault(row["metric"], MetricSummary(row["metric"], row["metric_label"]))
            if row["family"] != "headline" or row["scope"] != "group":
                continue
            row = {**row, "finding_label": LABELS.get(row["finding"], row["finding"]), **_texts(row)}
            summary.groups.append(row)
            if row["finding"] in ("adverse", "favourable"):
                summary.findings.append(row)
        return list(summaries.values())


def _texts(row: dict) -> dict:
    """The number and the value as a reader says them: "47 of 214" and "22.0%", "13.9 days (median)"."""
    count, value, unit = row.get("count"), row.get("value"), row.get("unit") or ""
    if row.get("suppressed") or count is None:
        return {"number_text": "", "value_text": ""}
    if row["kind"] == "proportion":
        number = f"{count:,} of {row['denominator']:,.0f}" if row.get("denominator") is not None else f"{count:,}"
        shown = "" if value is None else f"{value * 100:.1f}%"
    elif row["kind"] == "rate":
        number, shown = f"{count:,}", "" if value is None else f"{value:.2f} {unit}"
    else:
        number, shown = f"{count:,}", "" if value is None else f"{value:.1f} {unit} (median)"
    return {"number_text": number, "value_text": shown}


def published(name: str) -> Published | None:
    """The published assessment called `name`, or None for a name that is not one of PUBLISHED."""
    if name not in PUBLISHED:
        return None
    path = results_dir() / name / "results.json"
    document = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    return Published(name, PUBLISHED[name], document)


def published_all() -> list[Published]:
    return [p for p in (published(name) for name in PUBLISHED) if p is not None]


def published_file(name: str, kind: str) -> tuple[Path, str] | None:
    """(path, content type) of one output file of a published assessment, if both names are known and it exists."""
    if name not in PUBLISHED or kind not in FILES:
        return None
    filename, content_type = FILES[kind]
    path = results_dir() / name / filename
    return (path, content_type) if path.exists() else None
